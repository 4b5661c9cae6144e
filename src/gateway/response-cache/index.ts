export { stringifyAnswer, useResponseCache } from './use-response-cache';
export type { ObservedCall, ResponseCache, ResponseCacheOptions } from './use-response-cache';
export { DEFAULT_MAX_BYTES } from './answer-store';
