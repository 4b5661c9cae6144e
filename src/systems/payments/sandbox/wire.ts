import { createHash, randomBytes } from 'node:crypto';
import qs from 'qs';

/**
 * Stripe's wire conventions the sandbox shares across resources: its error envelope, form-encoded parameters, ids.
 * Internal to the payments sandbox.
 */

/** The body of Stripe's `{ error: ... }` envelope. */
export interface StripeErrorBody {
  readonly type: 'invalid_request_error' | 'idempotency_error' | 'card_error' | 'api_error';
  readonly message: string;
  readonly code?: string;
  readonly param?: string;
  readonly decline_code?: string;
  readonly doc_url?: string;
  readonly payment_intent?: unknown;
}

/**
 * A refusal in Stripe's words. `executed` says whether the request got past validation and ran: Stripe keeps the
 * answer of an idempotent request only then (a request that failed validation can be retried with the same key).
 */
export class StripeFailure extends Error {
  readonly body: StripeErrorBody;

  constructor(
    readonly status: number,
    body: StripeErrorBody,
    readonly executed = false,
  ) {
    super(body.message);
    this.body = body.code ? { ...body, doc_url: `https://stripe.com/docs/error-codes/${body.code.replace(/_/g, '-')}` } : body;
  }
}

export const invalid = (message: string, detail: { code?: string; param?: string } = {}): StripeFailure =>
  new StripeFailure(400, { type: 'invalid_request_error', message, ...detail });

export const missingParam = (param: string): StripeFailure =>
  invalid(`Missing required param: ${param}.`, { code: 'parameter_missing', param });

/** 404 for an id in the path, as Stripe answers it. */
export const noSuch = (kind: string, id: string, param: string): StripeFailure =>
  new StripeFailure(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${kind}: '${id}'`,
    param,
  });

/** A state the object is not in: Stripe keeps this answer for an idempotent retry, since the request ran. */
export const unexpectedState = (message: string): StripeFailure =>
  new StripeFailure(400, { type: 'invalid_request_error', code: 'payment_intent_unexpected_state', message }, true);

/** Parsed form or query parameters: qs turns `metadata[order_id]=x` and `expand[0]=y` into nested values. */
export type Params = Record<string, unknown>;

export function parseForm(text: string | undefined): Params {
  if (!text) return {};
  return qs.parse(text, { depth: 5, arrayLimit: 100, parameterLimit: 2000, allowPrototypes: false }) as Params;
}

export function queryOf(url: string): Params {
  const at = url.indexOf('?');
  return at === -1 ? {} : parseForm(url.slice(at + 1));
}

/** Stripe refuses parameters it does not know, naming the first one. */
export function onlyKnown(params: Params, known: readonly string[]): void {
  const unknown = Object.keys(params).find((key) => !known.includes(key));
  if (unknown !== undefined) {
    throw invalid(`Received unknown parameter: ${unknown}`, { code: 'parameter_unknown', param: unknown });
  }
}

export function stringParam(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`Invalid string: ${name}`, { code: 'parameter_invalid_string', param: name });
  return value;
}

export function requiredString(params: Params, name: string): string {
  const value = stringParam(params, name);
  if (value === undefined || value === '') throw missingParam(name);
  return value;
}

export function integerParam(params: Params, name: string): number | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^-?\d{1,15}$/.test(value)) {
    throw invalid(`Invalid integer: ${typeof value === 'string' ? value : name}`, {
      code: 'parameter_invalid_integer',
      param: name,
    });
  }
  return Number(value);
}

export function booleanParam(params: Params, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') {
    throw invalid(`Invalid boolean: ${String(value)}`, { code: 'parameter_invalid_boolean', param: name });
  }
  return value === 'true';
}

export function enumParam<T extends string>(params: Params, name: string, allowed: readonly T[]): T | undefined {
  const value = stringParam(params, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalid(`Invalid ${name}: must be one of ${allowed.join(', ')}`, { code: 'parameter_invalid_string', param: name });
  }
  return value as T;
}

export function arrayParam(params: Params, name: string): string[] | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const items = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? Object.values(value) : null;
  if (!items || !items.every((item): item is string => typeof item === 'string')) {
    throw invalid(`Invalid array`, { code: 'parameter_invalid_array', param: name });
  }
  return items;
}

/** Metadata as Stripe limits it: at most 50 keys, keys up to 40 characters, values up to 500. */
export function metadataParam(params: Params): Record<string, string> | undefined {
  const value = params.metadata;
  if (value === undefined || value === '') return value === '' ? {} : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('Invalid object', { code: 'parameter_invalid_object', param: 'metadata' });
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 50) throw invalid('Metadata can have at most 50 keys.', { param: 'metadata' });
  const metadata: Record<string, string> = {};
  for (const [key, inner] of entries) {
    if (typeof inner !== 'string') throw invalid('Invalid metadata value', { param: `metadata[${key}]` });
    if (key.length > 40) throw invalid('Metadata keys can be at most 40 characters.', { param: `metadata[${key}]` });
    if (inner.length > 500) throw invalid('Metadata values can be at most 500 characters.', { param: `metadata[${key}]` });
    metadata[key] = inner;
  }
  return metadata;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(bytes: Buffer, length: number): string {
  let text = '';
  for (let i = 0; i < length; i += 1) text += ALPHABET[bytes[i % bytes.length]! % ALPHABET.length];
  return text;
}

/** A new object id the way Stripe shapes them: a type prefix and random base-62 characters. */
export function newId(prefix: string, length = 24): string {
  return `${prefix}_${base62(randomBytes(length), length)}`;
}

/** A stable id derived from a seed, so that the seeded estate has the same ids on every start. */
export function stableId(prefix: string, seed: string, length = 24): string {
  return `${prefix}_${base62(createHash('sha256').update(seed).digest(), length)}`;
}

export const unixNow = (): number => Math.floor(Date.now() / 1000);
