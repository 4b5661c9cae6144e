import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Keyv from 'keyv';
import { LRUCache } from 'lru-cache';
import { parse, print } from 'graphql';

/** A document's id in both protocols: Apollo's automatic persisted queries and trusted documents. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

const FORMAT = 'plugboard-trusted-documents/1';

/**
 * The allowlist file: every operation the frontend sends, by the sha256 of its text. Built when a file is read, so
 * that a gateway without trusted documents never loads zod.
 */
function trustedFileSchema() {
  const { z } = require('zod') as typeof import('zod');
  return z.object({
    format: z.literal(FORMAT),
    documents: z.record(z.string().regex(/^[0-9a-f]{64}$/, 'a key must be the sha256 of its document, in hex'), z.string().min(1)),
  });
}

/** The operations production accepts (trusted-documents mode): nothing else runs. */
export interface TrustedDocuments {
  /** The document of an id (the sha256 of its text), if the frontend has it. */
  byHash(hash: string): string | undefined;
  /** Whether a document sent in full is one of them. */
  includes(query: string): boolean;
  readonly size: number;
}

export function trustedDocumentsOf(documents: Readonly<Record<string, string>>): TrustedDocuments {
  const byHash = new Map(Object.entries(documents));
  for (const [hash, text] of byHash) {
    if (sha256Hex(text) !== hash) throw new Error(`trusted document ${hash.slice(0, 12)}…: the key is not the sha256 of its text`);
  }
  return { byHash: (hash) => byHash.get(hash), includes: (query) => byHash.get(sha256Hex(query)) === query, size: byHash.size };
}

/** Reads the allowlist `npm run trusted-documents` wrote; a broken one stops the start, named. */
export function loadTrustedDocuments(file: string): TrustedDocuments {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: cannot read the trusted documents (${error instanceof Error ? error.message : String(error)}); write them with \`npm run trusted-documents\``);
  }
  const parsed = trustedFileSchema().safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${file}: not a trusted-documents file: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`).join('; ')}`);
  }
  return trustedDocumentsOf(parsed.data.documents);
}

/**
 * Builds the allowlist from the frontend's operations: every `.graphql` file under `dir` is one document (fragments
 * included), registered as written and as graphql-js prints it (what Apollo Client hashes and sends), so either
 * form is accepted. Files that are not valid GraphQL stop it, named.
 */
export async function buildTrustedDocuments(dir: string): Promise<{ format: string; documents: Record<string, string> }> {
  const files = (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.graphql')).sort();
  const documents: Record<string, string> = {};
  for (const file of files) {
    const text = (await readFile(path.join(dir, file), 'utf8')).trim();
    let printed: string;
    try {
      printed = print(parse(text));
    } catch (error) {
      throw new Error(`${path.join(dir, file)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const form of [text, printed]) documents[sha256Hex(form)] = form;
  }
  return { format: FORMAT, documents };
}

/** Apollo Server's cache interface (KeyValueCache), as the persisted-query store uses it. */
export interface DocumentCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

/**
 * Where automatic persisted queries are kept: in Redis with REDIS_URL (every replica knows a document once one has
 * seen it), else in a bounded in-memory LRU.
 */
export function createDocumentCache(redisUrl?: string): DocumentCache & { disconnect(): Promise<void> } {
  if (redisUrl) {
    // The Redis client is loaded only where Redis is configured.
    const { default: KeyvRedis } = require('@keyv/redis') as typeof import('@keyv/redis');
    const keyv = new Keyv<string>({ store: new KeyvRedis(redisUrl), namespace: 'plugboard-apq' });
    return {
      get: async (key) => (await keyv.get(key)) ?? undefined,
      set: async (key, value, options) => void (await keyv.set(key, value, options?.ttl ? options.ttl * 1_000 : undefined)),
      delete: (key) => keyv.delete(key),
      disconnect: () => keyv.disconnect(),
    };
  }
  const lru = new LRUCache<string, string>({ maxSize: 16 * 1024 * 1024, sizeCalculation: (value, key) => value.length + key.length });
  return {
    get: async (key) => lru.get(key),
    set: async (key, value, options) => void lru.set(key, value, options?.ttl ? { ttl: options.ttl * 1_000 } : {}),
    delete: async (key) => lru.delete(key),
    disconnect: async () => undefined,
  };
}
