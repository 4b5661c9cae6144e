import type { RedactionRules } from '../systems/kit/define-system';

/** What a secret is replaced with. */
export const REDACTED = '[REDACTED]';

/** Keys whose values are never kept: credentials, signatures, session cookies, card and bank details. */
export const SECRET_KEY = /pass(word)?|secret|token|authorization|api[-_]?key|client[-_]?secret|cookie|signature|card|cvc|iban/i;

/** The same words, to find keys inside raw text (form bodies, headers, XML, JSON that did not parse). */
const KEY_WORD = String.raw`(?:pass(?:word)?|secret|token|authorization|api[-_]?key|client[-_]?secret|cookie|signature|card|cvc|iban)`;

export interface RedactOptions {
  /** Longer strings are cut to this many characters and marked as cut. @default 2000 */
  readonly maxStringLength?: number;
  /** Objects and arrays nested deeper than this are replaced by a marker. @default 8 */
  readonly maxDepth?: number;
  /** Arrays keep this many items, then a marker saying how many were left out. @default 100 */
  readonly maxArrayLength?: number;
  /**
   * The secrets of the systems' wire formats that the generic shapes below do not know (a vendor's key prefixes, a
   * secret passed by position): each system declares its own (`redaction` in its defineSystem), and the composition
   * root hands them in. @default none: the generic shapes only
   */
  readonly rules?: readonly RedactionRules[];
}

const DEFAULTS: Required<RedactOptions> = { maxStringLength: 2_000, maxDepth: 8, maxArrayLength: 100, rules: [] };

type Replacement = string | ((match: string, ...groups: string[]) => string);

/**
 * Secrets found by their shape, wherever they appear in a string. Each replacement keeps what says what the secret
 * was (the scheme, the key name) and drops the secret itself.
 */
const VALUE_PATTERNS: ReadonlyArray<readonly [RegExp, Replacement]> = [
  // <Password>…</Password>, <ns:ApiKey>…</ns:ApiKey>
  [new RegExp(String.raw`<([\w:.-]*${KEY_WORD}[\w:.-]*)(\s[^>]*)?>[^<]*</\1>`, 'gi'), `<$1$2>${REDACTED}</$1>`],
  // "client_secret": "…" or "cvc": 123 in JSON that did not parse (cut short, or inside a larger text)
  [
    new RegExp(String.raw`("[^"\n]*${KEY_WORD}[^"\n]*"\s*:\s*)(?:"(?:[^"\\\n]|\\.)*"|[^\s,}\]"]+)`, 'gi'),
    `$1"${REDACTED}"`,
  ],
  // Header lines: "Authorization: Bearer …", "API-Key: …", "Set-Cookie: …"
  [new RegExp(String.raw`^([ \t]*[\w-]*${KEY_WORD}[\w-]*[ \t]*:[ \t]*)\S.*$`, 'gim'), `$1${REDACTED}`],
  // key="…" (XML attributes, shell-style assignments)
  [new RegExp(String.raw`\b([\w.-]*${KEY_WORD}[\w.-]*\s*=\s*)"[^"\n]*"`, 'gi'), `$1"${REDACTED}"`],
  // key=value in form bodies and query strings: password=…&client_secret=…
  [new RegExp(String.raw`\b([\w.\[\]%-]*${KEY_WORD}[\w.\[\]%-]*=)[^&\s"'<>]+`, 'gi'), `$1${REDACTED}`],
  // Bearer credentials; a short word after "bearer" is prose ("a bearer token"), not a credential.
  [/\b(Bearer)\s+[A-Za-z0-9._~+/=-]{16,}/gi, `$1 ${REDACTED}`],
  // Basic credentials: base64 of "user:password"
  [
    /\b(Basic)\s+([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])/gi,
    (match, scheme: string, encoded: string) =>
      Buffer.from(encoded, 'base64').toString('latin1').includes(':') ? `${scheme} ${REDACTED}` : match,
  ],
  // JWTs (and JWS in general): a base64url JSON header, which always starts with "eyJ"
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, REDACTED],
  // Credentials in URLs: https://user:password@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^/\s@]+@/gi, `$1${REDACTED}@`],
];

/** Card numbers (13 to 19 digits, spaces or dashes allowed) that pass the Luhn check. */
const CARD_CANDIDATE = /\b\d(?:[ -]?\d){12,18}\b/g;

/**
 * A deep copy of a JSON-able value with every secret replaced by {@link REDACTED}: the value of any key that names a
 * secret ({@link SECRET_KEY}; null and absent values are kept, they reveal nothing), and secrets found by their shape
 * in any string (see {@link redactText}). Long strings, long arrays and deep nesting are cut, so that a log row stays
 * small. Dates become ISO strings, binary data a byte count, cycles a marker.
 */
export function redact(value: unknown, options: RedactOptions = {}): unknown {
  const limits = { ...DEFAULTS, ...options };
  return copy(value, limits, 0, new WeakSet());
}

/**
 * A raw body (JSON, XML, a form, headers, free text) with every secret it holds replaced. JSON that parses is redacted
 * as a value (by key and by shape) and written back; anything else is redacted by the shapes of keys and secrets.
 */
export function redactText(text: string, options: RedactOptions = {}): string {
  const limits = { ...DEFAULTS, ...options };
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return cut(JSON.stringify(copy(parsed, limits, 0, new WeakSet())), limits.maxStringLength);
    } catch {
      // Not JSON after all (or cut short): the patterns below still find keys and secrets.
    }
  }
  return redactString(text, limits);
}

function copy(value: unknown, limits: Required<RedactOptions>, depth: number, seen: WeakSet<object>): unknown {
  switch (typeof value) {
    case 'string':
      return redactText(value, limits);
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString();
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return `[binary ${object.byteLength} bytes]`;
  if (seen.has(object)) return '[Circular]';
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function' && !(object instanceof Error)) {
    let converted: unknown;
    try {
      converted = toJSON.call(object);
    } catch {
      return '[unserialisable]';
    }
    if (converted !== object) {
      seen.add(object);
      try {
        return copy(converted, limits, depth, seen);
      } finally {
        seen.delete(object);
      }
    }
  }
  if (depth >= limits.maxDepth) return '[MaxDepth]';
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      const items = object.slice(0, limits.maxArrayLength).map((item) => copy(item, limits, depth + 1, seen) ?? null);
      if (object.length > limits.maxArrayLength) items.push(`[${object.length - limits.maxArrayLength} more items]`);
      return items;
    }
    if (object instanceof Map) return copyEntries([...object.entries()].map(([k, v]) => [String(k), v]), limits, depth, seen);
    if (object instanceof Set) return copy([...object], limits, depth, seen);
    if (object instanceof Error) {
      return copyEntries([['name', object.name], ['message', object.message], ...Object.entries(object)], limits, depth, seen);
    }
    return copyEntries(withPositionalSecretsRedacted(object as Record<string, unknown>, limits.rules), limits, depth, seen);
  } finally {
    seen.delete(object);
  }
}

function copyEntries(
  entries: ReadonlyArray<readonly [string, unknown]>,
  limits: Required<RedactOptions>,
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    if (SECRET_KEY.test(key)) {
      if (item !== undefined) result[key] = item === null ? null : REDACTED;
      continue;
    }
    const copied = copy(item, limits, depth + 1, seen);
    if (copied !== undefined) result[key] = copied;
  }
  return result;
}

/**
 * Secrets passed by position, which no key names: a JSON-RPC call (`{service, method, args}`) whose service a
 * system's rule names has the rule's `args` replaced.
 */
function withPositionalSecretsRedacted(object: Record<string, unknown>, rules: readonly RedactionRules[]): Array<[string, unknown]> {
  const entries = Object.entries(object);
  const { service, method, args } = object;
  if (!Array.isArray(args) || typeof method !== 'string' || typeof service !== 'string') return entries;
  const secret = new Set(rules.flatMap((rule) => rule.positional ?? []).flatMap((rule) => (rule.services.includes(service) ? rule.argIndexes : [])));
  if (secret.size === 0) return entries;
  return entries.map(([key, value]) =>
    key === 'args' ? [key, args.map((arg: unknown, index) => (secret.has(index) && arg != null ? REDACTED : arg))] : [key, value],
  );
}

/** A pattern that replaces every match, whether or not it was written with the `g` flag. */
const everywhere = (pattern: RegExp): RegExp => (pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`));

function redactString(text: string, limits: Required<RedactOptions>): string {
  const maxLength = limits.maxStringLength;
  // Redact a little past the cut, so that a secret crossing the cut is still recognised whole and removed.
  let result = text.length > maxLength + 1_024 ? text.slice(0, maxLength + 1_024) : text;
  for (const [pattern, replacement] of VALUE_PATTERNS) {
    result = result.replace(pattern, replacement as (match: string, ...groups: string[]) => string);
  }
  for (const pattern of limits.rules.flatMap((rule) => rule.patterns ?? [])) result = result.replace(everywhere(pattern), REDACTED);
  result = result.replace(CARD_CANDIDATE, (digits) => (passesLuhn(digits.replace(/\D/g, '')) ? REDACTED : digits));
  return cut(result, maxLength, text.length);
}

function cut(text: string, maxLength: number, originalLength = text.length): string {
  if (text.length <= maxLength && originalLength <= maxLength + 1_024) return text;
  return `${text.slice(0, maxLength)}…[cut, ${originalLength} characters in all]`;
}

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
