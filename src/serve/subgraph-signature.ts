import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Proof that a request to a subgraph comes from our gateway: an HMAC-SHA256, with a secret only the gateway and the
 * subgraphs hold, over the request's timestamp and its body. The timestamp bounds how long a captured request can be
 * replayed; the body binds the signature to this one operation and its variables.
 */

/** Seconds since the epoch at which the gateway signed. */
export const SIGNATURE_TIMESTAMP_HEADER = 'x-plugboard-timestamp';
/** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export const SIGNATURE_HEADER = 'x-plugboard-signature';

/** Clock skew allowed between the gateway and a subgraph, either way. @default 30 s */
export const DEFAULT_SKEW_SECONDS = 30;

/** Why a request was refused: a stable code, as the 401's `extensions.code` says it. */
export type SignatureProblem = 'GATEWAY_SIGNATURE_MISSING' | 'GATEWAY_SIGNATURE_INVALID' | 'GATEWAY_SIGNATURE_EXPIRED';

const mac = (secret: string, timestamp: string, body: string | Buffer): Buffer =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();

/** The two headers that sign `body`, at `now`. */
export function signSubgraphRequest(secret: string, body: string | Buffer, now: Date = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return { [SIGNATURE_TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `v1=${mac(secret, timestamp, body).toString('hex')}` };
}

export interface VerifyOptions {
  readonly secret: string;
  /** @default DEFAULT_SKEW_SECONDS */
  readonly skewSeconds?: number;
  /** @default new Date() */
  readonly now?: Date;
}

/** Whether the headers carry any signature at all: a request without one is refused before its body is read. */
export function carriesSignature(headers: Readonly<Record<string, unknown>>): boolean {
  return typeof headers[SIGNATURE_HEADER] === 'string' && typeof headers[SIGNATURE_TIMESTAMP_HEADER] === 'string';
}

/** What is wrong with a request's signature, or undefined when the gateway signed this body within the skew. */
export function signatureProblem(headers: Readonly<Record<string, unknown>>, body: string | Buffer, options: VerifyOptions): SignatureProblem | undefined {
  const timestamp = headers[SIGNATURE_TIMESTAMP_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return 'GATEWAY_SIGNATURE_MISSING';
  if (!/^\d{1,12}$/.test(timestamp)) return 'GATEWAY_SIGNATURE_INVALID';
  const given = /^v1=([0-9a-f]{64})$/.exec(signature)?.[1];
  if (!given) return 'GATEWAY_SIGNATURE_INVALID';
  // The MAC is checked before the time, in constant time: a stale timestamp says nothing until the secret is proven.
  if (!timingSafeEqual(Buffer.from(given, 'hex'), mac(options.secret, timestamp, body))) return 'GATEWAY_SIGNATURE_INVALID';
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.skewSeconds ?? DEFAULT_SKEW_SECONDS)) return 'GATEWAY_SIGNATURE_EXPIRED';
  return undefined;
}

/** What a refused request is told: no hint of which part failed beyond the code. */
export const SIGNATURE_MESSAGES: Readonly<Record<SignatureProblem, string>> = {
  GATEWAY_SIGNATURE_MISSING: 'this subgraph answers only the gateway: the request is not signed',
  GATEWAY_SIGNATURE_INVALID: 'this subgraph answers only the gateway: the request\'s signature is not valid',
  GATEWAY_SIGNATURE_EXPIRED: 'this subgraph answers only the gateway: the request\'s signature is too old (or the clocks differ)',
};
