export { REDACTED, SECRET_KEY, redact, redactText } from './redact';
export type { RedactOptions } from './redact';
export { createIntegrationLog } from './integration-log';
export type {
  IntegrationLog,
  IntegrationLogEntry,
  IntegrationLogOptions,
  IntegrationLogQuery,
  IntegrationLogRow,
} from './integration-log';
export { createDriftLog, valueText } from './drift';
export type { DriftFilter, DriftLog, DriftObservation, DriftRow } from './drift';
export { createConflictLog } from './conflicts';
export type { ConflictDecision, ConflictFilter, ConflictLog, ConflictRow } from './conflicts';
