import { REQUEST_ID_HEADER, requestIdFrom, runWithRequestId } from '../../src/logging';

/**
 * Runs each request of a subgraph's HTTP handler under its request id: the gateway's `x-request-id` (a subgraph
 * called directly makes its own), so that every system call the request causes is logged with it.
 */
export function withRequestId<This, Request extends { readonly headers: object }, Rest extends unknown[], Result>(
  handler: (this: This, request: Request, ...rest: Rest) => Result,
): (this: This, request: Request, ...rest: Rest) => Result {
  return function (this: This, request: Request, ...rest: Rest): Result {
    const header = (request.headers as Readonly<Record<string, unknown>>)[REQUEST_ID_HEADER];
    return runWithRequestId(requestIdFrom(header), () => handler.call(this, request, ...rest));
  };
}
