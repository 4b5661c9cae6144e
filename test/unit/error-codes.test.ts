import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GraphQLError } from 'graphql';
import { codesSeenIn, ERROR_CODE_NAMES, ERROR_CODES, INTEGRATION_ERROR_CODES, IntegrationError, type ErrorCode, type ErrorCodeDefinition } from '../../src/domain';
import type { AuthErrorCode } from '../../src/auth';
import { SIGNATURE_MESSAGES, type SignatureProblem } from '../../src/serve/subgraph-signature';
import { WEBHOOK_REFUSALS, type WebhookRefusalCode } from '../../src/webhooks';
import { FrontDoorRejection } from '../../src/gateway/front-door';
import { formatSubgraphError } from '../../subgraphs/kit/errors';

/**
 * One list of error codes (issue 17): src/domain/error-codes.ts is the public contract, and everything a client can
 * see is in it — the source's code literals, the docs' table, the statuses the gateway answers with, the subgraphs'
 * wording.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const DOC = path.join(ROOT, 'docs', 'error-codes.md');

// Compile-time (tsc --noEmit): each union of codes the code base refuses with is made of listed codes.
type Listed<Code extends ErrorCode> = Code;
export type CodeUnionsAreListed = [Listed<AuthErrorCode>, Listed<SignatureProblem>, Listed<WebhookRefusalCode>];

/** Codes that appear in the source but never reach a client: each is translated or masked on the way. */
const NEVER_SEEN: Readonly<Record<string, string>> = {
  OPERATION_NOT_CHECKED: 'a document that did not pass the front door: masked as INTERNAL_SERVER_ERROR, logged in full',
  DTD_NOT_ALLOWED: "the XML reader's refusal: the adapter says UPSTREAM_BAD_RESPONSE",
  MALFORMED_XML: "the XML reader's refusal: the adapter says UPSTREAM_BAD_RESPONSE",
};

/** The folders whose code talks to clients (the systems' folders speak vendors' codes, translated at the boundary). */
function clientFacingSources(): string[] {
  const skipped = new Set(['src/systems', 'src/sandboxes', 'src/adapters', 'src/generated']);
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(path.join(ROOT, folder), { withFileTypes: true })) {
      const relative = path.posix.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!skipped.has(relative)) walk(relative);
      } else if (entry.name.endsWith('.ts')) files.push(relative);
    }
  };
  walk('src');
  walk('subgraphs');
  return files;
}

/** The upper-case codes a source file refuses or answers with: `code: 'X'`, `errorCode: 'X'`, `…Rejection('X'`, `…Error('X'`, `refuse(…, 'X'`. */
function codeLiteralsOf(text: string): string[] {
  const pattern = /(?:code\s*[:=]\s*|(?:Rejection|Refusal|Error)\(\s*|refuse\([^)]*?|\[\d{3}, '[^']*', )'([A-Z][A-Z0-9_]{3,})'/gi;
  return [...text.matchAll(pattern)].map((match) => match[1]!).filter((code) => code === code.toUpperCase());
}

/** The list as docs/error-codes.md shows it: one row per code. */
export function renderErrorCodeTable(): string {
  const rows = ERROR_CODE_NAMES.map((code) => {
    const entry: ErrorCodeDefinition = ERROR_CODES[code];
    const seen = entry.surfaces.join(', ');
    return `| \`${code}\` | ${entry.status} | ${entry.retryable ? 'yes' : 'no'} | ${seen}${entry.system ? ', names its system' : ''} | ${entry.meaning} | ${entry.action} |`;
  });
  return ['| code | HTTP status | retryable | seen in | meaning | what to do |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

const TABLE_START = '<!-- error codes: start -->';
const TABLE_END = '<!-- error codes: end -->';

describe('the list of error codes', () => {
  it('holds every code the gateway, the subgraphs, the webhooks and the admin API answer with', () => {
    const listed = new Set<string>(ERROR_CODE_NAMES);
    const missing: string[] = [];
    let seen = 0;
    for (const file of clientFacingSources()) {
      for (const code of codeLiteralsOf(readFileSync(path.join(ROOT, file), 'utf8'))) {
        seen += 1;
        if (!listed.has(code) && !(code in NEVER_SEEN)) missing.push(`${code} (${file})`);
      }
    }
    expect(seen).toBeGreaterThan(50);
    expect(missing).toEqual([]);
    for (const code of Object.keys(SIGNATURE_MESSAGES)) expect(listed).toContain(code);
    for (const code of Object.keys(NEVER_SEEN)) expect(listed).not.toContain(code);
  });

  it('matches docs/error-codes.md row for row (paste the table printed here between its markers)', () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(TABLE_START);
    const end = doc.indexOf(TABLE_END);
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    expect(doc.slice(start + TABLE_START.length, end).trim()).toBe(renderErrorCodeTable());
    // No code is told of elsewhere in the doc that the list does not hold.
    const mentioned = [...doc.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)].map((match) => match[1]!);
    const notListed = mentioned.filter((code) => !(code in ERROR_CODES) && !code.startsWith('PLUGBOARD_') && !/_(URL|SECRET|TOKEN)$/.test(code));
    expect(notListed).toEqual([]);
  });

  it('gives the integration failures, and only they, a system and a wording the subgraphs use', () => {
    expect([...INTEGRATION_ERROR_CODES].sort()).toEqual(
      ['CIRCUIT_OPEN', 'REQUEST_TOO_LARGE_FOR_SYSTEM', 'SYSTEM_BUSY', 'SYSTEM_NOT_IN_ESTATE', 'UPSTREAM_AUTH_FAILED', 'UPSTREAM_BAD_RESPONSE', 'UPSTREAM_RATE_LIMITED', 'UPSTREAM_REJECTED', 'UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE'],
    );
    for (const code of INTEGRATION_ERROR_CODES) {
      const error = new IntegrationError(code, 'raw vendor text that must not leak', { system: 'crm', operation: 'findByIds' });
      const formatted = formatSubgraphError({ message: 'x', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, new GraphQLError('x', { originalError: error, path: ['customers'] }));
      expect(formatted.message).toBe(`crm ${ERROR_CODES[code].system.says}: findByIds failed`);
      expect(formatted.extensions).toEqual({ code, system: 'crm' });
    }
  });

  it('gives each refusal the status the list says', () => {
    for (const code of codesSeenIn('front-door')) expect(new FrontDoorRejection(code, 'refused').status).toBe(ERROR_CODES[code].status);
    expect(Object.keys(WEBHOOK_REFUSALS).sort()).toEqual(codesSeenIn('webhook').filter((code) => code !== 'WEBHOOK_UNUSABLE').sort());
    for (const [code, status] of Object.entries(WEBHOOK_REFUSALS)) expect(status).toBe(ERROR_CODES[code as ErrorCode].status);
    // What a refusal that runs nothing answers is never a 2xx, except the two persisted-query answers clients expect as 200.
    const refusedWith200 = codesSeenIn('front-door').filter((code) => ERROR_CODES[code].status < 300);
    expect(refusedWith200.sort()).toEqual(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);
  });
});
