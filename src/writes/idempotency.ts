import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WriteRejection } from './saga';
import type { Actor, KeyClaim, Receipt, WriteUnit } from './types';
import { idempotencyKeyInput, parseInput } from './validate';

/** Runs a mutation once per idempotency key, for the caller who sent it: a retry answers the first receipt. */
export type Once = (operation: string, key: string | undefined, actor: Actor, run: (key: string) => Promise<Receipt>) => Promise<Receipt>;

export interface OnceOptions {
  /**
   * How long a claim on a key stands without being renewed. The process applying the request renews it every third of
   * this, so a claim outlives it only when its process died (or lost its database for that long): then a copy of the
   * request takes it over, at most this long after the death. Shorter than `waitMs`, so that a client's retry after a
   * crash is applied instead of answered IDEMPOTENCY_KEY_IN_USE.
   * @default 10 s
   */
  readonly leaseMs?: number;
  /** How long a copy of a request being applied by another process waits for its receipt. @default 30 s */
  readonly waitMs?: number;
  /** The first pause between two looks at the other process's progress; it doubles up to a second. @default 20 ms */
  readonly pollMs?: number;
}

export const DEFAULT_LEASE_MS = 10_000;
export const DEFAULT_WAIT_MS = 30_000;
const DEFAULT_POLL_MS = 20;
const LONGEST_POLL_MS = 1_000;

type HeldClaim = Extract<KeyClaim, { claimed: true }>;

/**
 * Renews a claim every third of its lease until `stop`, so that it stands as long as its process lives. A renewal that
 * fails (the database is away) is tried again at the next beat; one that finds the claim gone stops the beats.
 */
function keepRenewed(claim: HeldClaim, leaseMs: number): { stop(): void } {
  let renewing = false;
  const beat = setInterval(() => {
    if (renewing) return;
    renewing = true;
    claim
      .renew(leaseMs)
      .then((ours) => {
        if (!ours) clearInterval(beat);
      })
      .catch(() => undefined)
      .finally(() => (renewing = false));
  }, Math.max(1, Math.floor(leaseMs / 3)));
  beat.unref();
  return { stop: () => clearInterval(beat) };
}

/**
 * Idempotency for the write path. A key sent again answers the receipt the first request got. A copy of a request
 * still being applied waits for it and answers its receipt, so two copies never run one saga side by side, where a
 * copy that failed half-way would undo the steps the other had taken under the same keys: copies in this process
 * wait on the first one's promise, copies in other processes on the claim it holds in the database (the
 * `idempotency_claims` row, taken before anything is applied and let go once the receipt has committed). A key is its
 * caller's: keys are unique per operation, not per caller, so another caller who sends one gets a refusal, never the
 * first caller's receipt.
 */
export function createOnce(unit: WriteUnit, options: OnceOptions = {}): Once {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
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

  /**
   * The key's claim for this request, or the receipt of the copy another process applied while this one waited. A
   * claim is only kept when no receipt has committed under the key: a copy could have finished between our look and
   * our claim.
   */
  const claimOrReceipt = async (
    operation: string,
    idempotencyKey: string,
    actor: Actor,
  ): Promise<{ claim: HeldClaim; receipt: null } | { claim: null; receipt: Receipt }> => {
    const giveUpAt = Date.now() + waitMs;
    for (let pause = pollMs; ; pause = Math.min(pause * 2, LONGEST_POLL_MS)) {
      const claim = await unit.claim(operation, idempotencyKey, actor.subject, leaseMs);
      if (claim.claimed) {
        const finished = await earlierReceipt(operation, idempotencyKey, actor).catch(async (error: unknown) => {
          await claim.release();
          throw error;
        });
        if (!finished) return { claim, receipt: null };
        await claim.release();
        return { claim: null, receipt: finished };
      }
      if (claim.actor !== actor.subject) throw keyOfAnother(operation);
      if (Date.now() >= giveUpAt) {
        throw new WriteRejection(
          'IDEMPOTENCY_KEY_IN_USE',
          `a request with this idempotency key has been applied elsewhere since ${claim.since.toISOString()} and is not finished: send it again later for its receipt`,
        );
      }
      await sleep(Math.min(pause, Math.max(0, giveUpAt - Date.now())));
      const receipt = await earlierReceipt(operation, idempotencyKey, actor);
      if (receipt) return { claim: null, receipt };
    }
  };

  return async (operation, key, actor, run) => {
    // A request sent without a key gets one of its own: no copy of it can exist, so there is nothing to look up or claim.
    if (key === undefined) return run(randomUUID());
    const idempotencyKey = parseInput(idempotencyKeyInput, key);
    const flight = `${operation}\n${idempotencyKey}`;
    const running = inFlight.get(flight);
    if (running) {
      if (running.actor !== actor.subject) throw keyOfAnother(operation);
      return running.applying;
    }
    const applying = (async () => {
      const claimed = await claimOrReceipt(operation, idempotencyKey, actor);
      if (claimed.claim === null) return claimed.receipt;
      const { claim } = claimed;
      const renewal = keepRenewed(claim, leaseMs);
      try {
        // The receipt's transaction lets the claim go (WriteTransaction.audit), in the same commit.
        return await run(idempotencyKey);
      } catch (error) {
        renewal.stop();
        // No receipt committed: let go here. A claim that cannot be let go now (the database is away) stands until its
        // lease ends.
        await claim.release().catch(() => undefined);
        // A process that took the key over while we could not renew it (our database was away) may have committed the
        // receipt.
        const winner = await earlierReceipt(operation, idempotencyKey, actor);
        if (winner) return winner;
        throw error;
      } finally {
        renewal.stop();
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
