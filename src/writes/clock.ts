/**
 * The time the write path runs on (claims' leases, their renewal beats, a waiting copy's pauses): a port, so that tests
 * drive it by hand instead of hoping that timers fire on time on a busy machine.
 */
export interface WriteClock {
  now(): Date;
  /** Resolves once `ms` have passed. */
  sleep(ms: number): Promise<void>;
  /**
   * Calls `beat` every `ms` until stopped. A beat still running when the next is due makes that one skip: beats never
   * overlap. A beat that fails is tried again at the next.
   */
  every(ms: number, beat: () => Promise<void>): { stop(): void };
}

/** Real time: Date and the event loop's timers (which never keep a process alive on their own). */
export const systemClock: WriteClock = {
  now: () => new Date(),
  sleep: (ms) =>
    new Promise((resolve) => {
      setTimeout(resolve, ms);
    }),
  every(ms, beat) {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      beat()
        .catch(() => undefined)
        .finally(() => (running = false));
    }, ms);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  },
};

/** A clock that moves only when told: for tests. */
export interface ManualClock extends WriteClock {
  /**
   * Moves time forward by `ms`, in order: each sleep due on the way is woken, each beat due is run and awaited before
   * time moves past it (so a renewal has landed before the lease it extends could run out).
   */
  advance(ms: number): Promise<void>;
  /** Resolves once someone sleeps on this clock (at once if someone already does). */
  sleeping(): Promise<void>;
}

type Timer =
  | { readonly kind: 'sleep'; due: number; readonly wake: () => void }
  | { readonly kind: 'beat'; due: number; readonly every: number; readonly beat: () => Promise<void>; stopped: boolean };

/** A {@link ManualClock} starting at `start`. */
export function createManualClock(start = new Date('2026-12-01T00:00:00.000Z')): ManualClock {
  let now = start.getTime();
  const timers: Timer[] = [];
  const sleepers: (() => void)[] = [];
  const next = (until: number): Timer | undefined =>
    timers.filter((timer) => timer.due <= until && !(timer.kind === 'beat' && timer.stopped)).sort((a, b) => a.due - b.due)[0];

  return {
    now: () => new Date(now),
    sleep(ms) {
      const slept = new Promise<void>((wake) => timers.push({ kind: 'sleep', due: now + Math.max(0, ms), wake }));
      for (const told of sleepers.splice(0)) told();
      return slept;
    },
    every(ms, beat) {
      const timer: Timer = { kind: 'beat', due: now + ms, every: Math.max(1, ms), beat, stopped: false };
      timers.push(timer);
      return {
        stop: () => {
          timer.stopped = true;
          const at = timers.indexOf(timer);
          if (at >= 0) timers.splice(at, 1);
        },
      };
    },
    async advance(ms) {
      const until = now + ms;
      for (let timer = next(until); timer; timer = next(until)) {
        now = Math.max(now, timer.due);
        if (timer.kind === 'sleep') {
          timers.splice(timers.indexOf(timer), 1);
          timer.wake();
        } else {
          timer.due += timer.every;
          await timer.beat().catch(() => undefined);
        }
      }
      now = until;
    },
    sleeping() {
      if (timers.some((timer) => timer.kind === 'sleep')) return Promise.resolve();
      return new Promise((resolve) => sleepers.push(resolve));
    },
  };
}
