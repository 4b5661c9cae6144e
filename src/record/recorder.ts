import type { RedactionRules } from '../systems/kit/define-system';
import type { SystemAnswer, TrafficObserver } from '../systems/kit/adapter';
import { entryOf, type CassetteEntry } from './cassette';

export interface RecorderOptions {
  /** The system whose answers are kept; every other system's are ignored. */
  readonly system: string;
  /** Every system's redaction rules (the integration log's: src/systems REDACTION_RULES); the generic ones always apply. */
  readonly rules: readonly RedactionRules[];
  /** Stop keeping answers after this many. @default no bound */
  readonly maxCalls?: number;
}

/** A traffic observer that keeps one system's answers, redacted, as cassette entries. */
export interface Recorder extends TrafficObserver {
  /** What was kept so far, in the order the answers came. */
  entries(): readonly CassetteEntry[];
  /** Resolves once `maxCalls` answers were kept. */
  readonly full: Promise<void>;
}

/**
 * Keeps a system's answers as they pass the adapter kit (redacted on the answer's path: nothing unredacted is held,
 * even in memory, past the call).
 */
export function createRecorder(options: RecorderOptions): Recorder {
  const kept: CassetteEntry[] = [];
  const max = options.maxCalls ?? Number.POSITIVE_INFINITY;
  let markFull!: () => void;
  const full = new Promise<void>((resolve) => (markFull = resolve));
  if (max <= 0) markFull();
  return {
    onAnswer(answer: SystemAnswer) {
      if (answer.system !== options.system || kept.length >= max) return;
      kept.push(entryOf(answer, options.rules));
      if (kept.length >= max) markFull();
    },
    entries: () => kept,
    full,
  };
}
