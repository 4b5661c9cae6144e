export { collectAnswer, createHttpClient, DEFAULT_MAX_RESPONSE_BYTES, pathOf } from './http-client';
export type { HttpClient, HttpClientOptions, HttpRequest, HttpResponse, WholeAnswer, WholeRequest } from './http-client';
export { badResponse, errorFromStatus, errorFromTransport, parseJson, retryAfterMs, tooLargeForSystem, validate, waitUnlessAborted } from './translate';
export type { CallSite } from './translate';
export { batchesWithin, encodedBytes, readEachOrder } from './batches';
export { tapTraffic, trafficObserverOfBuild, withTrafficObserver } from './traffic';
export type { SystemAnswer, TrafficObserver } from './traffic';
