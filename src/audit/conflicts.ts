import { randomUUID } from 'node:crypto';
import type { FilterQuery } from '@mikro-orm/core';
import type { Database } from '../db';
import { ConflictEntity, type ConflictRule } from '../db/entities';
import { redact } from './redact';

/** Two systems changed the same record (or field); the matrix's rule picked the winner. */
export interface ConflictDecision {
  /** The entity, e.g. "Order". */
  readonly entity: string;
  readonly entityId: string;
  /** The field, a comma-separated list of fields, or 'version' when whole records were compared. */
  readonly field: string;
  readonly winnerSystem: string;
  readonly winnerValue: unknown;
  readonly winnerTimestamp: Date;
  readonly loserSystem: string;
  readonly loserValue: unknown;
  readonly loserTimestamp: Date;
  readonly rule: ConflictRule;
  /** @default now */
  readonly decidedAt?: Date;
}

/** A row of the conflicts table, read back. */
export interface ConflictRow extends Required<ConflictDecision> {
  readonly id: string;
}

export interface ConflictFilter {
  readonly entity?: string;
  readonly entityId?: string;
  readonly loserSystem?: string;
  /** @default 100 */
  readonly limit?: number;
}

export interface ConflictLog {
  /**
   * Records a decision once: a conflict already recorded (same entity, field, losing system and losing timestamp) is
   * left as it is. Answers whether this call recorded it.
   */
  record(decision: ConflictDecision): Promise<boolean>;
  /** Latest decision first. */
  list(filter?: ConflictFilter): Promise<ConflictRow[]>;
}

/** The conflicts table: the audit of "latest timestamp wins" and "owner wins" decisions. */
export function createConflictLog(db: Database): ConflictLog {
  return {
    async record(decision) {
      const result = await db.orm.em
        .fork()
        .createQueryBuilder(ConflictEntity)
        .insert({
          id: randomUUID(),
          entity: decision.entity,
          entityId: decision.entityId,
          field: decision.field,
          winnerSystem: decision.winnerSystem,
          winnerValue: redact(decision.winnerValue) ?? null,
          winnerTimestamp: decision.winnerTimestamp,
          loserSystem: decision.loserSystem,
          loserValue: redact(decision.loserValue) ?? null,
          loserTimestamp: decision.loserTimestamp,
          rule: decision.rule,
          decidedAt: decision.decidedAt ?? new Date(),
        })
        .onConflict(['entity', 'entityId', 'field', 'loserSystem', 'loserTimestamp'])
        .ignore()
        .execute('run');
      return result.affectedRows > 0;
    },

    async list(filter = {}) {
      const where: FilterQuery<ConflictEntity> = {};
      if (filter.entity !== undefined) where.entity = filter.entity;
      if (filter.entityId !== undefined) where.entityId = filter.entityId;
      if (filter.loserSystem !== undefined) where.loserSystem = filter.loserSystem;
      const rows = await db.orm.em.fork().find(ConflictEntity, where, {
        orderBy: { decidedAt: 'desc', id: 'asc' },
        limit: filter.limit ?? 100,
      });
      return rows.map((row) => ({
        id: row.id,
        entity: row.entity,
        entityId: row.entityId,
        field: row.field,
        winnerSystem: row.winnerSystem,
        winnerValue: row.winnerValue,
        winnerTimestamp: row.winnerTimestamp,
        loserSystem: row.loserSystem,
        loserValue: row.loserValue,
        loserTimestamp: row.loserTimestamp,
        rule: row.rule,
        decidedAt: row.decidedAt,
      }));
    },
  };
}
