export {
  ALERT_AFTER_FAILURES,
  backoffMs,
  createOutbox,
  DEFAULT_BACKOFF,
  OUTBOX_JOB_STATES,
  type BackoffPolicy,
  type ClaimedJob,
  type Outbox,
  type OutboxJobFilter,
  type OutboxJobView,
  type OutboxOptions,
  type ReplayResult,
} from './outbox';
export { outboxSettingsFrom } from './settings';
export { startOutboxWorker, type JobHandler, type OutboxWorker, type OutboxWorkerOptions } from './worker';
