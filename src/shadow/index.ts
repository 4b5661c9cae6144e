/**
 * Shadow mode, daily reconciliation and the cutover gate (the playbook's phase 5): while an entity is in shadow mode the
 * site's writes are also sent to the legacy shop through the outbox; `npm run reconcile` compares the two systems day
 * by day; the gate allows the cutover after enough consecutive clean days, and the cutover makes the site's store the
 * owner (an override laid over the declared matrix) and stops the writes to the legacy shop.
 */
export { adminShadowRoutes, ACTOR_HEADER, type AdminShadowOptions } from './admin-routes';
export { useShadowAdmin } from './use-shadow-admin';
export { dayIn, isDay, isTimeZone, shiftDay } from './business-day';
export { compareSources, SourceOrderError, type CompareOptions, type Difference, type EntityReconciliation, type ReconcileSource } from './compare';
export { createShadowControl, type CutoverRecord, type ShadowControl, type ShadowControlOptions, type ShadowEntityView, type ShadowOutcome } from './control';
export { isReconciledEntity, RECONCILED_ENTITIES, type ComparableRecord, type ReconciledEntity } from './fields';
export { cleanStreak, type DayResult } from './gate';
export { applyCutovers } from './matrix';
export { createProgress, SILENT_PROGRESS, type ReconcileProgress } from './progress';
export { reconcileDay, reconcileSynthetic, recordDay, type ReconcileDayOptions, type ReconcileDayResult, type SyntheticEntityCheck } from './reconcile';
export { isClean, renderMarkdown, type ReconciliationReport } from './report';
export { legacySource, storeSource } from './sources';
export { createSyntheticReconciliation, type PlantedDifferences } from './synthetic';
