import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { redact, redactText, type RedactOptions } from '../audit/redact';
import type { RedactionRules } from '../systems/kit/define-system';
import type { SystemAnswer } from '../systems/kit/adapter';

/** The cassette format's version: a reader refuses another one rather than misreading it. */
export const CASSETTE_VERSION = 1;

/** One exchange with a system, as recorded: what was asked (without its credentials) and what came back (redacted). */
export interface CassetteEntry {
  /** The adapter's operation the request was made for (`contacts.batchRead`). */
  readonly operation: string;
  readonly method: string;
  /** The path below the system's base URL, without its query. */
  readonly path: string;
  /** The query's parameters, decoded (a repeated one is a list). */
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  /** The request's body, redacted, when it had one: a replay tells apart calls to one endpoint (JSON-RPC, SOAP) by it. */
  readonly requestBody?: string;
  readonly status: number;
  /** The answer's headers a replay or a check needs (content type, rate limits, Retry-After, API version); no other. */
  readonly headers: Readonly<Record<string, string>>;
  /** The answer's body, redacted, as text. */
  readonly body: string;
}

/** A window of a system's traffic (`npm run record`): replayed by contract tests, held against the vendor's description by `npm run doctor`. */
export interface Cassette {
  readonly version: typeof CASSETTE_VERSION;
  /** The system's name in the registry. */
  readonly system: string;
  /** When the window began and ended (ISO 8601). */
  readonly recordedFrom: string;
  readonly recordedTo: string;
  /** Where the system was (its base URL, with no credentials) and how the window was bounded. */
  readonly source: string;
  readonly entries: readonly CassetteEntry[];
}

/** Headers kept: what a replay needs to answer as the system did, and what the autopilot and the doctor read. */
const KEPT_HEADER = /^(content-type|retry-after|location|etag|last-modified)$|rate-?limit|limit-remaining|x-minlimit|x-daylimit|x-applimit|version/i;

/**
 * Redaction for a cassette: the log's rules (every system's own and the generic ones), but nothing cut: a replay
 * answers the whole body (the system's response cap bounds it already).
 */
function cassetteRedaction(rules: readonly RedactionRules[]): RedactOptions {
  return { rules, maxStringLength: Number.MAX_SAFE_INTEGER, maxDepth: 256, maxArrayLength: Number.MAX_SAFE_INTEGER };
}

/** A body, redacted: JSON as a value (by key and by shape), anything else (XML, forms) by the shapes of keys and secrets. */
export function redactBody(text: string, rules: readonly RedactionRules[]): string {
  const options = cassetteRedaction(rules);
  if (/^\s*[[{]/.test(text)) {
    try {
      return JSON.stringify(redact(JSON.parse(text), options));
    } catch {
      // Not JSON after all: redacted as text below.
    }
  }
  return redactText(text, options);
}

/** The decoded parameters of a query string, with those named like secrets redacted. */
export function queryOf(search: string, rules: readonly RedactionRules[]): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(search)) {
    const before = query[name];
    query[name] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
  }
  return redact(query, cassetteRedaction(rules)) as Record<string, string | string[]>;
}

/** One answer as a cassette keeps it, redacted by the same rules as the integration log. */
export function entryOf(answer: SystemAnswer, rules: readonly RedactionRules[]): CassetteEntry {
  const at = answer.path.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value === undefined || !KEPT_HEADER.test(name)) continue;
    headers[name.toLowerCase()] = redactText(Array.isArray(value) ? value.join(', ') : String(value), cassetteRedaction(rules));
  }
  return {
    operation: answer.operation,
    method: answer.method,
    path: redactText(at < 0 ? answer.path : answer.path.slice(0, at), cassetteRedaction(rules)),
    query: at < 0 ? {} : queryOf(answer.path.slice(at + 1), rules),
    ...(answer.requestBody === undefined || answer.requestBody === '' ? {} : { requestBody: redactBody(answer.requestBody, rules) }),
    status: answer.status,
    headers,
    body: redactBody(answer.text, rules),
  };
}

/** Where a cassette goes by default: `<dir>/<system>/<UTC date and time>.json`. */
export function cassetteFileOf(dir: string, system: string, at: Date): string {
  return path.join(dir, system, `${at.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
}

/** Writes a cassette (whole or not at all: written beside, then renamed). */
export async function writeCassette(file: string, cassette: Cassette): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  await writeFile(partial, `${JSON.stringify(cassette, null, 2)}\n`, { mode: 0o600 });
  await rename(partial, file);
}

/** Reads a cassette, refusing a file that is not one (naming the file and what is wrong). */
export async function readCassette(file: string): Promise<Cassette> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<Cassette>;
  if (parsed.version !== CASSETTE_VERSION || typeof parsed.system !== 'string' || !Array.isArray(parsed.entries)) {
    throw new Error(`${file} is not a cassette of version ${CASSETTE_VERSION} (written by npm run record)`);
  }
  return parsed as Cassette;
}
