import { AsyncLocalStorage } from 'node:async_hooks';

/** One answer a system gave, as the adapter kit's HTTP client received it (before any adapter read it). */
export interface SystemAnswer {
  readonly system: string;
  /** The adapter's operation the request was made for. */
  readonly operation: string;
  readonly method: string;
  /** The path and query asked for, below the system's base URL. */
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as text (its size already checked against the system's cap). */
  readonly text: string;
}

/**
 * Told about every answer a system gives (the maintenance autopilot: contract drift, the vendor's rate-limit headers).
 * Called on the answer's path, so it must be cheap and must not throw: anything slow is its own to defer.
 */
export interface TrafficObserver {
  onAnswer(answer: SystemAnswer): void;
}

const building = new AsyncLocalStorage<TrafficObserver>();

/**
 * Builds adapters (synchronously, inside `build`) whose HTTP clients report every answer to `observer`. The composition
 * root calls this around the adapters it makes, so that no adapter imports the autopilot, the database or the alerts,
 * and no call pays for a lookup: a client finds its observer once, when it is created.
 */
export function withTrafficObserver<T>(observer: TrafficObserver | undefined, build: () => T): T {
  return observer ? building.run(observer, build) : build();
}

/** The observer of the adapters being built now, if any (read by createHttpClient when it is made). */
export function trafficObserverOfBuild(): TrafficObserver | undefined {
  return building.getStore();
}
