export { createLogger, logSystemCall, LOG_LEVELS } from './create-logger';
export type { LoggerOptions, LogLevel } from './create-logger';
export { currentRequestId, REQUEST_ID_HEADER, requestIdFrom, runWithRequestId, saneRequestId } from './request-context';
