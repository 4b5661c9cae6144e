import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Alerts } from '../alerts';
import { redactText } from '../audit/redact';
import { ContractDriftEntity, type ContractDriftSource, type Database } from '../db';
import type { SystemAnswer } from '../systems/kit/adapter';
import { createBackground } from './background';
import { SeenShape, shapeOf } from './shape';

/** One way an answer differs from the vendor's published description, as a system's description check words it. */
export interface DescribedDifference {
  /** The field's path in the answer (dotted, `[]` for list elements). */
  readonly field: string;
  /** What differs, in a few words: `type integer → string`, `enum value "x"`, `disappeared`, `appeared`. */
  readonly change: string;
  /** A short excerpt of what was seen. */
  readonly seen?: string;
}

/** Holds a parsed answer against the vendor's published description of it; [] when it fits or is not described. */
export type AnswerCheck = (answer: { readonly method: string; readonly path: string; readonly status: number; readonly body: unknown }) => readonly DescribedDifference[];

export interface ContractDriftOptions {
  readonly db: Database;
  readonly alerts: Pick<Alerts, 'raise'>;
  /**
   * How often one operation's answers are checked, per system, in ms: at most one check per operation per this long
   * (0: every answer). The integration map's `contractCheck.everySeconds`.
   */
  readonly checkEveryMs: (system: string) => number;
  /** Each system's check against its vendor's published description, where it has one. */
  readonly descriptions?: Readonly<Record<string, AnswerCheck>>;
  /** @default Date.now */
  readonly now?: () => number;
  /** Told when a check or its row could not be made (never thrown to the answer's path). */
  readonly onError?: (error: Error) => void;
}

export interface ContractDriftRecorder {
  /** Cheap on the answer's path: a clock read and a map lookup, unless this answer is the operation's sample. */
  onAnswer(answer: SystemAnswer): void;
  /** Resolves when every check begun so far has been recorded (tests; closing). */
  settled(): Promise<void>;
}

/** An answer the shape check can read: a 2xx JSON body. */
const looksLikeJson = (text: string): boolean => /^\s*[[{]/.test(text);

const SEEN_MAX = 200;

/** A JSON-RPC call's model and method (`"args": [db, uid, key, "sale.order", "read", …]`), read from the body's start. */
const RPC_CALL = /"args"\s*:\s*\[[^\]]*?"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"\s*,\s*"([a-z_]+)"/;

/**
 * What one kind of answer is keyed by: the adapter's operation, and the endpoint it asked (method and path, ids
 * folded; a JSON-RPC call's model and method), since one operation may read several endpoints (a list of shipments,
 * then one of labels) whose answers have shapes of their own. A path segment with a digit in it, or long, is an id.
 */
function kindOf(answer: SystemAnswer): string {
  const [path = ''] = answer.path.split('?', 1);
  const endpoint = path
    .split('/')
    .map((segment) => (/\d/.test(segment) || segment.length > 32 ? '{}' : segment))
    .join('/');
  const rpc = answer.requestBody === undefined ? undefined : RPC_CALL.exec(answer.requestBody.slice(0, 400));
  return `${answer.system} ${answer.operation} ${answer.method} ${endpoint}${rpc ? ` ${rpc[1]}.${rpc[2]}` : ''}`;
}

/**
 * Contract drift from live traffic: a sample of each operation's answers is held against the vendor's published
 * description (where the system has one) and against the shape its answers had so far; each difference is recorded
 * once in `contract_drift` and alerted when new. The answer itself is served as it is: the adapter's own validation
 * decides what a page can use, this only tells ops before a change breaks one.
 */
export function createContractDriftRecorder(options: ContractDriftOptions): ContractDriftRecorder {
  const now = options.now ?? Date.now;
  const background = createBackground(options.onError);
  const lastChecked = new Map<string, number>();
  const shapes = new Map<string, SeenShape>();
  /** Per kind of answer, the renames recorded: each field (old and new) to the rename that names it. */
  const renamesSeen = new Map<string, Map<string, DescribedDifference>>();
  /** Differences this process knows are recorded: seen again, they only move last_seen_at and count times_seen. */
  const known = new Set<string>();

  const seenAgain = async (where: Record<string, string>, at: Date): Promise<void> => {
    const moment = options.db.orm.em.getPlatform().processDateProperty(at);
    await options.db.orm.em
      .getConnection()
      .execute('update contract_drift set last_seen_at = ?, times_seen = times_seen + 1 where system = ? and operation = ? and field = ? and change = ?', [
        moment,
        where['system'],
        where['operation'],
        where['field'],
        where['change'],
      ]);
  };

  const record = async (answer: SystemAnswer, source: ContractDriftSource, difference: DescribedDifference): Promise<void> => {
    const field = difference.field.slice(0, 300);
    const change = difference.change.slice(0, 300);
    const where = { system: answer.system, operation: answer.operation.slice(0, 100), field, change };
    const key = JSON.stringify(where);
    const at = new Date(now());
    if (known.has(key)) return seenAgain(where, at);
    const em = options.db.orm.em.fork();
    if (await em.findOne(ContractDriftEntity, where)) {
      known.add(key);
      return seenAgain(where, at);
    }
    const seen = difference.seen === undefined ? null : redactText(difference.seen).slice(0, SEEN_MAX);
    try {
      await em.insert(ContractDriftEntity, { id: randomUUID(), ...where, source, seen, firstSeenAt: at, lastSeenAt: at });
    } catch (error) {
      // Another replica recorded it first: it raised the alert.
      if (error instanceof UniqueConstraintViolationException) {
        known.add(key);
        return;
      }
      throw error;
    }
    known.add(key);
    await options.alerts.raise({ kind: 'contract-drift', system: answer.system, operation: where.operation, field, change, source });
  };

  const check = async (answer: SystemAnswer): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      return; // Not JSON after all: the adapter says what it makes of it.
    }
    const key = kindOf(answer);
    let seen = shapes.get(key);
    if (!seen) shapes.set(key, (seen = new SeenShape()));
    const fromShape = seen.compare(shapeOf(body));
    let fromDescription = options.descriptions?.[answer.system]?.({ method: answer.method, path: answer.path, status: answer.status, body }) ?? [];
    // A rename the shape saw is one change, not the description's "X disappeared" and "Y appeared": one row, worded as
    // the rename, from the description when it names the new field.
    // Kept per kind of answer: the description goes on naming both fields in every later answer.
    let renames = renamesSeen.get(key);
    if (!renames) renamesSeen.set(key, (renames = new Map()));
    for (const difference of fromShape) {
      const from = /^renamed from (.+)$/.exec(difference.change)?.[1];
      if (from === undefined || renames.size >= SEEN_MAX) continue;
      renames.set(difference.field, difference);
      renames.set(from, difference);
    }
    const renamedInDescription = new Set(fromDescription.filter((difference) => renames!.get(difference.field)?.field === difference.field).map((difference) => difference.field));
    fromDescription = fromDescription.filter((difference) => !renames!.has(difference.field));
    for (const difference of fromDescription) await record(answer, 'description', difference);
    // What the description already named is not named twice.
    const described = new Set(fromDescription.map((difference) => difference.field));
    for (const difference of fromShape) {
      if (!described.has(difference.field)) await record(answer, renamedInDescription.has(difference.field) ? 'description' : 'last-seen', difference);
    }
  };

  return {
    onAnswer(answer) {
      if (answer.status < 200 || answer.status >= 300) return;
      const key = kindOf(answer);
      const at = now();
      const last = lastChecked.get(key);
      if (last !== undefined && at - last < options.checkEveryMs(answer.system)) return;
      if (!looksLikeJson(answer.text)) return;
      lastChecked.set(key, at);
      // Off the answer's path: the caller has its answer before the check begins.
      background.run(() => new Promise<void>((resolve) => setImmediate(resolve)).then(() => check(answer)));
    },
    settled: background.settled,
  };
}
