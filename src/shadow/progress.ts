import { Presets, SingleBar } from 'cli-progress';

/** Where reconciliation says how far it is: records read from both sides, per entity. */
export interface ReconcileProgress {
  start(entity: string, total: number): void;
  /** Records read since the last call. */
  advance(records: number): void;
  finish(): void;
}

/** Progress nobody watches (tests, the admin API). */
export const SILENT_PROGRESS: ReconcileProgress = { start() {}, advance() {}, finish() {} };

/**
 * A progress bar (cli-progress) when the stream is a terminal; otherwise plain lines, one per tenth of the way, that a
 * log file or a CI console keeps readable.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stdout): ReconcileProgress {
  return stream.isTTY ? barProgress(stream) : lineProgress(stream);
}

function barProgress(stream: NodeJS.WriteStream): ReconcileProgress {
  let bar: SingleBar | undefined;
  let done = 0;
  return {
    start(entity, total) {
      done = 0;
      bar = new SingleBar(
        { stream, fps: 5, format: `${entity.padEnd(8)} [{bar}] {percentage}% | {value}/{total} records | {duration_formatted}`, hideCursor: true },
        Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    advance(records) {
      done += records;
      bar?.update(done);
    },
    finish() {
      bar?.stop();
      bar = undefined;
    },
  };
}

function lineProgress(stream: NodeJS.WriteStream): ReconcileProgress {
  let entity = '';
  let total = 0;
  let done = 0;
  let shown = -1;
  const say = (line: string) => stream.write(`${line}\n`);
  return {
    start(name, count) {
      entity = name;
      total = count;
      done = 0;
      shown = 0;
      say(`${entity}: 0/${total} records (0%)`);
    },
    advance(records) {
      done += records;
      const tenth = total > 0 ? Math.min(10, Math.floor((done / total) * 10)) : 10;
      if (tenth > shown && tenth < 10) {
        shown = tenth;
        say(`${entity}: ${done}/${total} records (${tenth * 10}%)`);
      }
    },
    finish() {
      say(`${entity}: ${done}/${total} records (100%)`);
    },
  };
}
