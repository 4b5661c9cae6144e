import { createHash, randomUUID } from 'node:crypto';
import { raw, type FilterQuery } from '@mikro-orm/core';
import type { Database } from '../db';
import { DriftEntity } from '../db/entities';

/** A follower's value for a field, seen to differ from the owner's. */
export interface DriftObservation {
  /** The entity, e.g. "Customer". */
  readonly entity: string;
  readonly entityId: string;
  readonly field: string;
  readonly ownerSystem: string;
  readonly ownerValue: unknown;
  readonly followerSystem: string;
  readonly followerValue: unknown;
  /** @default now */
  readonly seenAt?: Date;
}

/** A row of the drift table, read back. Values are text: strings as they were, anything else as JSON. */
export interface DriftRow {
  readonly id: string;
  readonly entity: string;
  readonly entityId: string;
  readonly field: string;
  readonly ownerSystem: string;
  readonly ownerValue: string;
  readonly followerSystem: string;
  readonly followerValue: string;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  readonly timesSeen: number;
  readonly resolvedAt: Date | null;
}

export interface DriftFilter {
  readonly entity?: string;
  readonly entityId?: string;
  readonly field?: string;
  readonly followerSystem?: string;
  /** true: only differences that still stand; false: only resolved ones. @default both */
  readonly open?: boolean;
  /** @default 100 */
  readonly limit?: number;
}

export interface DriftLog {
  /**
   * Records a difference once: the first sighting inserts a row, later sightings of the same follower value move
   * `lastSeenAt`, count `timesSeen` and reopen it if it had been resolved. Values that agree (as text) are no drift:
   * nothing is recorded.
   */
  observe(observation: DriftObservation): Promise<void>;
  /** Marks the open differences of a follower's field resolved (the follower was synced, or agrees again). */
  resolve(
    target: Pick<DriftObservation, 'entity' | 'entityId' | 'field' | 'followerSystem'>,
    resolvedAt?: Date,
  ): Promise<number>;
  /** Most recently seen first. */
  list(filter?: DriftFilter): Promise<DriftRow[]>;
}

/**
 * Values longer than this are cut and suffixed with a hash of the whole, so that distinct long values stay distinct
 * while the unique index over them stays well inside PostgreSQL's index entry limit.
 */
const MAX_VALUE_LENGTH = 400;

/** The drift table: where the source-of-truth matrix records followers that disagree with owners. */
export function createDriftLog(db: Database): DriftLog {
  return {
    async observe(observation) {
      const ownerValue = valueText(observation.ownerValue);
      const followerValue = valueText(observation.followerValue);
      if (ownerValue === followerValue) return;
      const seenAt = observation.seenAt ?? new Date();
      const row = {
        id: randomUUID(),
        entity: observation.entity,
        entityId: observation.entityId,
        field: observation.field,
        ownerSystem: observation.ownerSystem,
        ownerValue,
        followerSystem: observation.followerSystem,
        followerValue,
        firstSeenAt: seenAt,
        lastSeenAt: seenAt,
        timesSeen: 1,
        resolvedAt: null,
      };
      await db.orm.em
        .fork()
        .createQueryBuilder(DriftEntity)
        .insert(row)
        .onConflict(['entity', 'entityId', 'field', 'followerSystem', 'followerValue'])
        .merge({
          ownerValue: row.ownerValue,
          ownerSystem: row.ownerSystem,
          lastSeenAt: seenAt,
          // Qualified: in PostgreSQL's ON CONFLICT a bare column name is ambiguous with the proposed row's.
          timesSeen: raw('drift.times_seen + 1'),
          resolvedAt: null,
        })
        .execute('run');
    },

    async resolve(target, resolvedAt = new Date()) {
      return db.orm.em.fork().nativeUpdate(
        DriftEntity,
        {
          entity: target.entity,
          entityId: target.entityId,
          field: target.field,
          followerSystem: target.followerSystem,
          resolvedAt: null,
        },
        { resolvedAt },
      );
    },

    async list(filter = {}) {
      const where: FilterQuery<DriftEntity> = {};
      if (filter.entity !== undefined) where.entity = filter.entity;
      if (filter.entityId !== undefined) where.entityId = filter.entityId;
      if (filter.field !== undefined) where.field = filter.field;
      if (filter.followerSystem !== undefined) where.followerSystem = filter.followerSystem;
      if (filter.open !== undefined) where.resolvedAt = filter.open ? null : { $ne: null };
      const rows = await db.orm.em.fork().find(DriftEntity, where, {
        orderBy: { lastSeenAt: 'desc', id: 'asc' },
        limit: filter.limit ?? 100,
      });
      return rows.map((row) => ({
        id: row.id,
        entity: row.entity,
        entityId: row.entityId,
        field: row.field,
        ownerSystem: row.ownerSystem,
        ownerValue: row.ownerValue,
        followerSystem: row.followerSystem,
        followerValue: row.followerValue,
        firstSeenAt: row.firstSeenAt,
        lastSeenAt: row.lastSeenAt,
        timesSeen: row.timesSeen,
        resolvedAt: row.resolvedAt,
      }));
    },
  };
}

/** A value as drift keeps it: strings as they are, anything else as JSON; long values cut, with a hash of the whole. */
export function valueText(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
  if (text.length <= MAX_VALUE_LENGTH) return text;
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return `${text.slice(0, MAX_VALUE_LENGTH - 30)}…[sha256 ${digest}]`;
}
