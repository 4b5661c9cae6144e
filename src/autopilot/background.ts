/** Internal to src/autopilot: work done off the answer's path, one task after another; a failure is told, never thrown. */
export interface Background {
  run(task: () => Promise<void>): void;
  /** Resolves when every task begun so far is done. */
  settled(): Promise<void>;
  /** Tells a failure as an Error. */
  fail(error: unknown): void;
}

export function createBackground(onError: (error: Error) => void = () => undefined): Background {
  let chain: Promise<void> = Promise.resolve();
  const fail = (error: unknown): void => onError(error instanceof Error ? error : new Error(String(error)));
  return {
    run(task) {
      chain = chain.then(task).catch(fail);
    },
    settled: () => chain,
    fail,
  };
}
