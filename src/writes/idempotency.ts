import { randomUUID } from 'node:crypto';
import { systemClock, type WriteClock } from './clock';
import { fingerprintOf } from './fingerprint';
import { WriteRejection } from './saga';
import type { Actor, KeyClaim, LapsedClaim, Receipt, WriteUnit } from './types';
import { idempotencyKeyInput, parseInput } from './validate';

/** A mutation's own work under its idempotency key (the client's, or one made up for a request sent without). */
export type Apply = (idempotencyKey: string) => Promise<Receipt>;

export interface Once {
  /**
   * Runs a mutation once per idempotency key, for the caller who sent it: a retry answers the first receipt; the key
   * sent with another request (other arguments) is refused IDEMPOTENCY_KEY_REUSED, and nothing is applied.
   */
  apply(operation: string, key: string | undefined, actor: Actor, input: unknown, run: Apply): Promise<Receipt>;
  /**
   * Finishes a request whose process died under it (its claim lapsed), as a retry of it would: null when it is not
   * this process's to finish (a copy of it is being applied, or has already been).
   */
  resume(lapsed: LapsedClaim, run: Apply): Promise<Receipt | null>;
}

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
  /**
   * The time leases, renewals and waits run on. The database unit's `now` must read the same time (claims' expiry is
   * written with it). @default the system clock
   */
  readonly clock?: WriteClock;
}

const DEFAULT_LEASE_MS = 10_000;
const DEFAULT_WAIT_MS = 30_000;
const DEFAULT_POLL_MS = 20;
const LONGEST_POLL_MS = 1_000;

type HeldClaim = Extract<KeyClaim, { claimed: true }>;

/**
 * Renews a claim every third of its lease until `stop`, so that it stands as long as its process lives. A renewal that
 * fails (the database is away) is tried again at the next beat; one that finds the claim gone stops the beats.
 */
function keepRenewed(claim: HeldClaim, leaseMs: number, clock: WriteClock): { stop(): void } {
  const beats = clock.every(Math.max(1, Math.floor(leaseMs / 3)), async () => {
    if (!(await claim.renew(leaseMs))) beats.stop();
  });
  return beats;
}

/**
 * Idempotency for the write path. A key sent again answers the receipt the first request got. A copy of a request
 * still being applied waits for it and answers its receipt, so two copies never run one saga side by side, where a
 * copy that failed half-way would undo the steps the other had taken under the same keys: copies in this process
 * wait on the first one's promise, copies in other processes on the claim it holds in the database (the
 * `idempotency_claims` row, taken before anything is applied and let go once the receipt has committed). A key is its
 * caller's: keys are unique per operation, not per caller, so another caller who sends one gets a refusal, never the
 * first caller's receipt. A key is also its request's, as payment gateways' keys are: it remembers the request's fingerprint
 * (src/writes/fingerprint.ts), in its claim and then in its receipt, and another request under it is refused.
 */
export function createOnce(unit: WriteUnit, options: OnceOptions = {}): Once {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const clock = options.clock ?? systemClock;
  /** Requests being applied in this process, by operation and idempotency key, with who asked and what. */
  const inFlight = new Map<string, { readonly actor: string; readonly fingerprint: string; readonly applying: Promise<Receipt> }>();
  const keyOfAnother = (operation: string) =>
    new WriteRejection('BAD_USER_INPUT', `this idempotency key was used for ${operation} by another caller: send a key of your own`);
  /** A payment gateway's rule too: a key names one request. The same key with another body is refused, and nothing is applied. */
  const keyReused = (operation: string) =>
    new WriteRejection(
      'IDEMPOTENCY_KEY_REUSED',
      `this idempotency key was used for another ${operation} request (other arguments): nothing was applied; send a new key for a new request`,
    );
  /** Whether a key bound to `bound` may answer the request with `fingerprint` (keys from before fingerprints bind nothing). */
  const sameRequest = (bound: string | null, fingerprint: string): boolean => bound === null || bound === fingerprint;
  /** The earlier receipt under this key, when it is this caller's and this very request's. */
  const earlierReceipt = async (operation: string, idempotencyKey: string, actor: Actor, fingerprint: string): Promise<Receipt | null> => {
    const earlier = await unit.receiptFor(operation, idempotencyKey);
    if (earlier && earlier.actor !== actor.subject) throw keyOfAnother(operation);
    if (earlier && !sameRequest(earlier.fingerprint, fingerprint)) throw keyReused(operation);
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
    input: unknown,
    fingerprint: string,
  ): Promise<{ claim: HeldClaim; receipt: null } | { claim: null; receipt: Receipt }> => {
    const giveUpAt = clock.now().getTime() + waitMs;
    for (let pause = pollMs; ; pause = Math.min(pause * 2, LONGEST_POLL_MS)) {
      const claim = await unit.claim(operation, idempotencyKey, actor.subject, leaseMs, { input, scopes: actor.scopes, fingerprint });
      if (claim.claimed) {
        const finished = await earlierReceipt(operation, idempotencyKey, actor, fingerprint).catch(async (error: unknown) => {
          await claim.release();
          throw error;
        });
        if (!finished) return { claim, receipt: null };
        await claim.release();
        return { claim: null, receipt: finished };
      }
      if (claim.actor !== actor.subject) throw keyOfAnother(operation);
      if (!sameRequest(claim.fingerprint, fingerprint)) throw keyReused(operation);
      if (clock.now().getTime() >= giveUpAt) {
        throw new WriteRejection(
          'IDEMPOTENCY_KEY_IN_USE',
          `a request with this idempotency key has been applied elsewhere since ${claim.since.toISOString()} and is not finished: send it again later for its receipt`,
        );
      }
      await clock.sleep(Math.min(pause, Math.max(0, giveUpAt - clock.now().getTime())));
      const receipt = await earlierReceipt(operation, idempotencyKey, actor, fingerprint);
      if (receipt) return { claim: null, receipt };
    }
  };

  /**
   * Applies the request under a claim this process holds, renewing it until the receipt has committed (its
   * transaction lets the claim go, WriteTransaction.audit).
   */
  const applyClaimed = async (
    operation: string,
    idempotencyKey: string,
    actor: Actor,
    fingerprint: string,
    claim: HeldClaim,
    run: Apply,
    failed: 'let go' | 'keep',
  ): Promise<Receipt> => {
    const renewal = keepRenewed(claim, leaseMs, clock);
    try {
      return await run(idempotencyKey);
    } catch (error) {
      renewal.stop();
      // No receipt committed. A client hears of the failure and may send the request again: the claim is let go (one
      // that cannot be let go now, the database being away, stands until its lease ends). A request finished for a
      // dead process has nobody to send it again: its claim is kept, to lapse and be finished by a later sweep, unless
      // the request itself was refused (its input), which no later sweep would change.
      if (failed === 'let go' || error instanceof WriteRejection) await claim.release().catch(() => undefined);
      // A process that took the key over while we could not renew it (our database was away) may have committed the
      // receipt.
      const winner = await earlierReceipt(operation, idempotencyKey, actor, fingerprint);
      if (winner) return winner;
      throw error;
    } finally {
      renewal.stop();
    }
  };

  /** Runs `work` as this process's one copy of the request in flight, for copies of it that reach this process. */
  const inFlightFor = async (
    operation: string,
    idempotencyKey: string,
    actor: Actor,
    fingerprint: string,
    work: () => Promise<Receipt>,
  ): Promise<Receipt> => {
    const flight = `${operation}\n${idempotencyKey}`;
    const applying = work();
    inFlight.set(flight, { actor: actor.subject, fingerprint, applying });
    try {
      return await applying;
    } finally {
      inFlight.delete(flight);
    }
  };

  return {
    async apply(operation, key, actor, input, run) {
      // A request sent without a key gets one of its own: no copy of it can exist, but it is claimed all the same, so
      // that it can be finished if this process dies under it.
      const idempotencyKey = key === undefined ? randomUUID() : parseInput(idempotencyKeyInput, key);
      const fingerprint = fingerprintOf(operation, actor.subject, input);
      const running = inFlight.get(`${operation}\n${idempotencyKey}`);
      if (running) {
        if (running.actor !== actor.subject) throw keyOfAnother(operation);
        if (running.fingerprint !== fingerprint) throw keyReused(operation);
        return running.applying;
      }
      return inFlightFor(operation, idempotencyKey, actor, fingerprint, async () => {
        const claimed = await claimOrReceipt(operation, idempotencyKey, actor, input, fingerprint);
        if (claimed.claim === null) return claimed.receipt;
        return applyClaimed(operation, idempotencyKey, actor, fingerprint, claimed.claim, run, 'let go');
      });
    },

    async resume(lapsed, run) {
      const { operation, idempotencyKey, actor, input } = lapsed;
      if (inFlight.has(`${operation}\n${idempotencyKey}`)) return null;
      const fingerprint = fingerprintOf(operation, actor.subject, input);
      // Taken over only while it is still lapsed: a claim renewed or taken meanwhile is someone's who is applying it.
      const claim = await unit.claim(operation, idempotencyKey, actor.subject, leaseMs, { input, scopes: actor.scopes, fingerprint });
      if (!claim.claimed) return null;
      if (await unit.receiptFor(operation, idempotencyKey)) {
        await claim.release();
        return null;
      }
      return inFlightFor(operation, idempotencyKey, actor, fingerprint, () =>
        applyClaimed(operation, idempotencyKey, actor, fingerprint, claim, run, 'keep'),
      );
    },
  };
}
