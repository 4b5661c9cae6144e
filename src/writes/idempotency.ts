import { randomUUID } from 'node:crypto';
import { WriteRejection } from './saga';
import type { Actor, Receipt, WriteUnit } from './types';
import { idempotencyKeyInput, parseInput } from './validate';

/** Runs a mutation once per idempotency key, for the caller who sent it: a retry answers the first receipt. */
export type Once = (operation: string, key: string | undefined, actor: Actor, run: (key: string) => Promise<Receipt>) => Promise<Receipt>;

/**
 * Idempotency for the write path. A key sent again answers the receipt the first request got. A copy of a request
 * still being applied in this process (a double click, a client's retry) waits for it and answers its receipt, so
 * two copies never run one saga side by side, where a copy that failed half-way would undo the steps the other had
 * taken under the same keys. A key is its caller's: keys are unique per operation, not per caller, so another caller
 * who sends one gets a refusal, never the first caller's receipt.
 */
export function createOnce(unit: WriteUnit): Once {
  /** Requests being applied in this process, by operation and idempotency key, with who asked. */
  const inFlight = new Map<string, { readonly actor: string; readonly applying: Promise<Receipt> }>();
  const keyOfAnother = (operation: string) =>
    new WriteRejection('BAD_USER_INPUT', `this idempotency key was used for ${operation} by another caller: send a key of your own`);
  /** The earlier receipt under this key, when it is this caller's. */
  const earlierReceipt = async (operation: string, idempotencyKey: string, actor: Actor): Promise<Receipt | null> => {
    const earlier = await unit.receiptFor(operation, idempotencyKey);
    if (earlier && earlier.actor !== actor.subject) throw keyOfAnother(operation);
    return earlier?.receipt ?? null;
  };

  return async (operation, key, actor, run) => {
    const idempotencyKey = key === undefined ? randomUUID() : parseInput(idempotencyKeyInput, key);
    const flight = `${operation}\n${idempotencyKey}`;
    const running = inFlight.get(flight);
    if (running) {
      if (running.actor !== actor.subject) throw keyOfAnother(operation);
      return running.applying;
    }
    const applying = (async () => {
      const earlier = await earlierReceipt(operation, idempotencyKey, actor);
      if (earlier) return earlier;
      try {
        return await run(idempotencyKey);
      } catch (error) {
        // Two copies of one request raced from two processes: the loser finds the winner's receipt under the same key.
        const winner = await earlierReceipt(operation, idempotencyKey, actor);
        if (winner) return winner;
        throw error;
      }
    })();
    inFlight.set(flight, { actor: actor.subject, applying });
    try {
      return await applying;
    } finally {
      inFlight.delete(flight);
    }
  };
}
