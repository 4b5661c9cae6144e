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
  /** The body of the request this answers, as sent (a recording tells apart the calls of a JSON-RPC or SOAP endpoint). */
  readonly requestBody?: string;
}

/**
 * Told about every answer a system gives (the maintenance autopilot: contract drift, the vendor's rate-limit headers).
 * Called on the answer's path, so it must be cheap and must not throw: anything slow is its own to defer.
 */
export interface TrafficObserver {
  onAnswer(answer: SystemAnswer): void;
}

/**
 * The observer of the build running now: a plain variable, not an AsyncLocalStorage, since a build is synchronous. Once
 * entered, an AsyncLocalStorage taxes every promise the process ever makes (a hook copies its store onto each), for a
 * value read only while adapters are made.
 */
let building: TrafficObserver | undefined;

/** Listeners of every process-wide answer besides the build's observer (a recording: src/record). */
const taps = new Set<TrafficObserver>();

/**
 * Also tells `tap` about every answer of the adapters built from now on with {@link withTrafficObserver} (a recording,
 * `npm run record`). Answers the way to stop. While no tap is set, a call pays one set-size check.
 */
export function tapTraffic(tap: TrafficObserver): () => void {
  taps.add(tap);
  return () => void taps.delete(tap);
}

function withTaps(observer: TrafficObserver | undefined): TrafficObserver {
  return {
    onAnswer(answer) {
      observer?.onAnswer(answer);
      if (taps.size === 0) return;
      for (const tap of taps) tap.onAnswer(answer);
    },
  };
}

/**
 * Builds adapters (synchronously, inside `build`) whose HTTP clients report every answer to `observer`. The composition
 * root calls this around the adapters it makes, so that no adapter imports the autopilot, the database or the alerts,
 * and no call pays for a lookup: a client finds its observer once, when it is created.
 */
export function withTrafficObserver<T>(observer: TrafficObserver | undefined, build: () => T): T {
  const outer = building;
  building = withTaps(observer);
  try {
    return build();
  } finally {
    building = outer;
  }
}

/** The observer of the adapters being built now, if any (read by createHttpClient when it is made). */
export function trafficObserverOfBuild(): TrafficObserver | undefined {
  return building;
}
