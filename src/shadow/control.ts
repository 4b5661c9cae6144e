import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { MutationAuditEntity, ReconciliationDayEntity, ShadowStateEntity, type Database, type EntityOwner, type MutationResult } from '../db';
import { dayIn, shiftDay } from './business-day';
import { isReconciledEntity, RECONCILED_ENTITIES, type ReconciledEntity } from './fields';
import { cleanStreak, refusalMessage } from './gate';

/** An entity's place in the cutover, as the admin API and the dashboard show it. */
export interface ShadowEntityView {
  readonly entity: ReconciledEntity;
  /** The site's writes of this entity are also sent to the legacy shop. */
  readonly shadow: boolean;
  /** Consecutive clean reconciliation days up to today. */
  readonly cleanDays: number;
  readonly requiredCleanDays: number;
  /** Whose records count: the legacy shop's until the cutover, the site's store after it. */
  readonly owner: EntityOwner;
  readonly cutover: { readonly at: string; readonly actor: string } | null;
}

/** What a switch or a cutover did, or why it did not. */
export type ShadowOutcome =
  | { readonly ok: true; readonly entity: ShadowEntityView }
  | { readonly ok: false; readonly code: 'NOT_FOUND'; readonly message: string }
  | { readonly ok: false; readonly code: 'ALREADY_CUT_OVER'; readonly message: string; readonly entity: ShadowEntityView }
  | {
      readonly ok: false;
      readonly code: 'CUTOVER_REFUSED';
      readonly message: string;
      readonly cleanDays: number;
      readonly requiredCleanDays: number;
      readonly entity: ShadowEntityView;
    };

/** An entity the cutover gave to the site's store: the durable override of the matrix. */
export interface CutoverRecord {
  readonly entity: string;
  readonly owner: 'store';
  readonly at: Date;
  readonly actor: string;
}

export interface ShadowControlOptions {
  /** Clean days the gate wants before a cutover (PLUGBOARD_CUTOVER_CLEAN_DAYS). @default 5 */
  readonly requiredCleanDays?: number;
  /** The business day's time zone (PLUGBOARD_RECONCILE_TIME_ZONE). @default 'Europe/Amsterdam' */
  readonly timeZone?: string;
  readonly now?: () => Date;
}

/** Days of results the gate reads: far more than any sensible requirement. */
const STREAK_WINDOW_DAYS = 400;

/**
 * Shadow mode and the cutover gate over our database: each entity's switch (durable, in `shadow_state`), its clean
 * days (from `reconciliation_days`), and the cutover, refused until the entity has enough consecutive clean days.
 * Every switch and cutover, refused ones too, is a `mutation_audit` row with its actor, written in the same transaction.
 */
export function createShadowControl(db: Database, options: ShadowControlOptions = {}) {
  const required = options.requiredCleanDays ?? 5;
  const timeZone = options.timeZone ?? 'Europe/Amsterdam';
  const now = options.now ?? (() => new Date());

  const cleanDaysOf = async (em: SqlEntityManager, entity: string): Promise<number> => {
    const today = dayIn(timeZone, now());
    const results = await em.find(
      ReconciliationDayEntity,
      { entity, day: { $lte: today, $gt: shiftDay(today, -STREAK_WINDOW_DAYS) } },
      { fields: ['day', 'clean'], orderBy: { day: 'desc' } },
    );
    return cleanStreak(results, today);
  };

  const viewOf = async (em: SqlEntityManager, entity: ReconciledEntity, state: ShadowStateEntity | null): Promise<ShadowEntityView> => ({
    entity,
    shadow: state?.shadow ?? false,
    cleanDays: await cleanDaysOf(em, entity),
    requiredCleanDays: required,
    owner: state?.owner ?? 'legacy',
    cutover: state?.cutoverAt ? { at: state.cutoverAt.toISOString(), actor: state.cutoverBy ?? '' } : null,
  });

  const audit = (
    em: SqlEntityManager,
    entry: { actor: string; operation: string; entity: string; input: unknown; owner: string; before: unknown; after: unknown; result: MutationResult; errorCode: string | null; receipt: unknown },
  ): void => {
    em.create(MutationAuditEntity, { id: randomUUID(), ...entry, entityId: '', idempotencyKey: null, createdAt: now() });
  };

  /** Runs a change of one entity's state in a transaction; an unknown entity is NOT_FOUND. */
  const change = (name: string, work: (em: SqlEntityManager, entity: ReconciledEntity, state: ShadowStateEntity | null) => Promise<ShadowOutcome>): Promise<ShadowOutcome> => {
    if (!isReconciledEntity(name)) {
      return Promise.resolve({ ok: false, code: 'NOT_FOUND', message: `no entity ${name} in shadow mode's reach: use one of ${RECONCILED_ENTITIES.join(', ')}` });
    }
    return db.orm.em.fork().transactional(async (em) => work(em as SqlEntityManager, name, await em.findOne(ShadowStateEntity, { entity: name })));
  };

  return {
    requiredCleanDays: required,

    async list(): Promise<ShadowEntityView[]> {
      const em = db.orm.em.fork() as SqlEntityManager;
      const states = new Map((await em.find(ShadowStateEntity, {})).map((state) => [state.entity, state]));
      return Promise.all(RECONCILED_ENTITIES.map((entity) => viewOf(em, entity, states.get(entity) ?? null)));
    },

    /** Switches shadow mode for an entity. Refused (ALREADY_CUT_OVER) when turning it on after the cutover. */
    setShadow(name: string, shadow: boolean, actor: string): Promise<ShadowOutcome> {
      return change(name, async (em, entity, state) => {
        const before = await viewOf(em, entity, state);
        if (shadow && before.owner === 'store') {
          const message = `${entity} was cut over to the site's store: the legacy shop is no longer written`;
          audit(em, { actor, operation: 'setShadowMode', entity, input: { shadow }, owner: 'store', before, after: before, result: 'REJECTED', errorCode: 'ALREADY_CUT_OVER', receipt: { error: { code: 'ALREADY_CUT_OVER', message } } });
          await em.flush();
          return { ok: false, code: 'ALREADY_CUT_OVER', message, entity: before };
        }
        const row = state ?? em.create(ShadowStateEntity, { entity, shadow, owner: 'legacy', updatedAt: now(), updatedBy: actor });
        em.assign(row, { shadow, updatedAt: now(), updatedBy: actor });
        const after = { ...before, shadow };
        audit(em, { actor, operation: 'setShadowMode', entity, input: { shadow }, owner: row.owner, before, after, result: 'APPLIED', errorCode: null, receipt: after });
        await em.flush();
        return { ok: true, entity: after };
      });
    },

    /**
     * Cuts an entity over to the site's store when the gate allows it: the store becomes the owner (the override of
     * the matrix) and shadow writes to the legacy shop stop. Refused (CUTOVER_REFUSED) with fewer clean days than
     * required. Cutting over an entity already cut over answers it as it is.
     */
    cutover(name: string, actor: string): Promise<ShadowOutcome> {
      return change(name, async (em, entity, state) => {
        const before = await viewOf(em, entity, state);
        if (before.owner === 'store') return { ok: true, entity: before };
        if (before.cleanDays < required) {
          const message = refusalMessage(entity, before.cleanDays, required);
          const error = { code: 'CUTOVER_REFUSED', cleanDays: before.cleanDays, requiredCleanDays: required, message };
          audit(em, { actor, operation: 'cutover', entity, input: {}, owner: 'legacy', before, after: before, result: 'REJECTED', errorCode: 'CUTOVER_REFUSED', receipt: { error } });
          await em.flush();
          return { ok: false, code: 'CUTOVER_REFUSED', message, cleanDays: before.cleanDays, requiredCleanDays: required, entity: before };
        }
        const at = now();
        const row = state ?? em.create(ShadowStateEntity, { entity, shadow: false, owner: 'store', updatedAt: at, updatedBy: actor });
        em.assign(row, { shadow: false, owner: 'store', cutoverAt: at, cutoverBy: actor, updatedAt: at, updatedBy: actor });
        const after: ShadowEntityView = { ...before, shadow: false, owner: 'store', cutover: { at: at.toISOString(), actor } };
        audit(em, { actor, operation: 'cutover', entity, input: {}, owner: 'store', before, after, result: 'APPLIED', errorCode: null, receipt: after });
        await em.flush();
        return { ok: true, entity: after };
      });
    },

    /** The entities cut over so far: what {@link applyCutovers} lays over the declared matrix. */
    async cutovers(): Promise<CutoverRecord[]> {
      const rows = await db.orm.em.fork().find(ShadowStateEntity, { owner: 'store' }, { orderBy: { entity: 'asc' } });
      return rows.map((row) => ({ entity: row.entity, owner: 'store', at: row.cutoverAt ?? row.updatedAt, actor: row.cutoverBy ?? row.updatedBy }));
    },
  };
}

export type ShadowControl = ReturnType<typeof createShadowControl>;
