import { IntegrationError } from '../../src/domain';

/**
 * The fault switch of a fake, with the same settings as a sandbox's `POST /_sandbox/faults` (structurally: the fakes
 * import nothing from the sandboxes). A fake raises each fault as the IntegrationError the adapter would have made of
 * it, at once: no socket, no real time.
 */
export interface FakeFault {
  readonly mode: 'ok' | 'down' | 'slow' | 'garbage' | 'ratelimit' | 'flaky';
  readonly delayMs?: number;
  readonly probability?: number;
  readonly retryAfterSeconds?: number;
}

/** Time as a fake needs it: a slow system holds its answer back on this clock, so only a test moving it lets it go. */
export interface FakeSleep {
  (ms: number): Promise<void>;
}

/** A sleep that never ends by itself: a slow fake answers only when the caller gives up (or never). */
export const sleepForever: FakeSleep = () => new Promise<void>(() => undefined);

export interface FaultSwitchOptions {
  /** The system name the fake's errors carry. */
  readonly system: string;
  /** @default {@link sleepForever} */
  readonly sleep?: FakeSleep;
  /** For `flaky`. @default Math.random */
  readonly random?: () => number;
}

/** The fault switch and request counter a fake puts in front of every call to it. */
export interface FaultSwitch {
  set(setting: FakeFault): void;
  /** Fails only the next call of `operation` the way `setting` says (a system that goes away between two calls). */
  failNext(operation: string, setting: FakeFault): void;
  /** Counts the request under `operation`, then fails it the way the current fault says (or lets it through). */
  enter(operation: string, signal?: AbortSignal): Promise<void>;
  /** Requests received so far, by operation. */
  count(operation?: string): number;
}

export function createFaultSwitch(options: FaultSwitchOptions): FaultSwitch {
  const { system } = options;
  const sleep = options.sleep ?? sleepForever;
  const random = options.random ?? Math.random;
  const counts = new Map<string, number>();
  let current: FakeFault = { mode: 'ok' };
  let garbled = 0;
  const scripted = new Map<string, FakeFault>();

  const error = (code: IntegrationError['code'], message: string, operation: string, extra: { retryAfterMs?: number } = {}) =>
    new IntegrationError(code, `${system}: ${message}`, { system, operation, ...extra });
  const aborted = (operation: string) => error('UPSTREAM_TIMEOUT', 'the caller stopped waiting', operation);

  const holdBack = (ms: number, operation: string, signal: AbortSignal | undefined): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(aborted(operation));
      const onAbort = () => reject(aborted(operation));
      signal?.addEventListener('abort', onAbort, { once: true });
      void sleep(ms).then(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });

  return {
    set(setting) {
      current = setting;
      garbled = 0;
    },
    failNext(operation, setting) {
      scripted.set(operation, setting);
    },
    count: (operation) =>
      operation === undefined ? [...counts.values()].reduce((sum, n) => sum + n, 0) : (counts.get(operation) ?? 0),
    async enter(operation, signal) {
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      if (signal?.aborted) throw aborted(operation);
      const once = scripted.get(operation);
      scripted.delete(operation);
      const fault = once ?? current;
      switch (fault.mode) {
        case 'ok':
          return;
        case 'down':
          throw error('UPSTREAM_UNAVAILABLE', 'connection reset', operation);
        case 'flaky':
          if (random() < (fault.probability ?? 0.5)) throw error('UPSTREAM_UNAVAILABLE', 'answered 503', operation);
          return;
        case 'ratelimit':
          throw error('UPSTREAM_RATE_LIMITED', 'answered 429', operation, { retryAfterMs: (fault.retryAfterSeconds ?? 1) * 1000 });
        case 'garbage':
          // As the sandboxes do: a malformed body and a well-formed one of the wrong shape, in turn.
          garbled += 1;
          throw error(
            'UPSTREAM_BAD_RESPONSE',
            garbled % 2 === 1 ? 'malformed answer (cut-off body)' : 'unexpected answer: a required field is missing',
            operation,
          );
        case 'slow':
          return holdBack(fault.delayMs ?? 5_000, operation, signal);
        default: {
          const unreachable: never = fault.mode;
          throw new Error(`unknown fault mode ${String(unreachable)}`);
        }
      }
    },
  };
}

/** A refusal: the system understood and said no. */
export const rejected = (system: string, operation: string, message: string): IntegrationError =>
  new IntegrationError('UPSTREAM_REJECTED', `${system}: ${message}`, { system, operation });

/** Remembers the answer of each idempotency key, so a repeated write answers its first answer and applies once. */
export function createKeyMemory() {
  const answers = new Map<string, unknown>();
  return async <T>(scope: string, key: string, apply: () => T | Promise<T>): Promise<T> => {
    const id = `${scope}\u0000${key}`;
    if (answers.has(id)) return answers.get(id) as T;
    const answer = await apply();
    answers.set(id, answer);
    return answer;
  };
}
