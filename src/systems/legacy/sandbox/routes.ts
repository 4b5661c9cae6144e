import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FailureBody, SandboxContext } from '../../kit/sandbox';
import type { LegacyCustomerRow, LegacyOrderRow } from './vocabulary';

export interface LegacyCredentials {
  readonly username: string;
  readonly password: string;
}

/** The shop's answer envelope: `ok` 1 with rows, or `ok` 0 with a message whose first word says what failed. */
export type Envelope<T> = { ok: 1; rows: T[] } | { ok: 0; err: string };

/** The shop answers its own 429/503 in its envelope too (the PHP front controller catches everything). */
export function legacyFailureBody(status: number, message: string): FailureBody {
  const kind = status === 429 ? 'BUSY' : 'DB';
  return { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ ok: 0, err: `${kind}: ${message}` }) };
}

interface Lookup {
  /** Comma-separated shop numbers (customers: CUST_NO). */
  readonly ids?: string;
  /** Comma-separated shop numbers (orders: ORDER_NO). */
  readonly refs?: string;
  /** Comma-separated ids of the new site (EXT_REF). */
  readonly ext?: string;
  /** `dd.mm.yyyy`: the rows changed (MOD_TS) on that day, by EXT_REF, `limit` at a time after `after`. */
  readonly mod_date?: string;
  readonly after?: string;
  readonly limit?: string;
}

/** Rows per page of a day's changes when the caller names no limit, and the most it may ask for. */
const DEFAULT_PAGE = 200;
const MAX_PAGE = 1_000;

/**
 * `GET /api/legacy/customers.php?ids=K100001,...|ext=cus-00001,...` and
 * `GET /api/legacy/orders.php?refs=W500001,...|ext=ord-000001,...`, behind HTTP Basic auth. Like the PHP original,
 * a failed login or a bad parameter is HTTP 200 with `ok: 0`; only a crash is a 500. Unknown keys are left out.
 */
export function registerLegacyRoutes(
  app: FastifyInstance,
  context: SandboxContext,
  options: { readonly credentials: LegacyCredentials; readonly maxKeys: number },
): void {
  const customers = context.records.collection<LegacyCustomerRow>('customers');
  const orders = context.records.collection<LegacyOrderRow>('orders');

  const send = <T>(reply: FastifyReply, envelope: Envelope<T>, status = 200): FastifyReply =>
    reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(envelope));

  const lookup = <T extends { readonly EXT_REF: string; readonly MOD_TS: string }>(
    request: FastifyRequest<{ Querystring: Lookup }>,
    reply: FastifyReply,
    table: Map<string, T>,
    numberParam: 'ids' | 'refs',
    numberOf: (row: T) => string,
  ): FastifyReply => {
    if (!authorized(request.headers.authorization, options.credentials)) {
      return send(reply, { ok: 0, err: 'AUTH: login failed' });
    }
    if (request.query.mod_date !== undefined) return changedOn(request.query, reply, table);
    const numbers = splitKeys(request.query[numberParam]);
    const ext = splitKeys(request.query.ext);
    if (numbers.length === 0 && ext.length === 0) {
      return send(reply, { ok: 0, err: `PARAM: ${numberParam} or ext missing` });
    }
    if (numbers.length + ext.length > options.maxKeys) {
      return send(reply, { ok: 0, err: `PARAM: max ${options.maxKeys} keys per call` });
    }
    // Records are keyed by our ids; the shop's numbers are found by a scan, so rows a test edits stay findable.
    const wanted = new Set(numbers);
    const keys = new Set(ext);
    if (wanted.size > 0) for (const row of table.values()) if (wanted.has(numberOf(row))) keys.add(row.EXT_REF);
    const rows = [...keys].flatMap((key) => {
      const row = table.get(key);
      return row ? [row] : [];
    });
    return send(reply, { ok: 1, rows });
  };

  /**
   * `?mod_date=dd.mm.yyyy&after=<EXT_REF>&limit=n`: the day's changed rows in EXT_REF order (byte order, as MySQL's
   * binary collation of that column sorts), with `total`, the day's count, as a string like every other number here.
   */
  const changedOn = <T extends { readonly EXT_REF: string; readonly MOD_TS: string }>(
    query: Lookup,
    reply: FastifyReply,
    table: Map<string, T>,
  ): FastifyReply => {
    const day = query.mod_date ?? '';
    if (!/^\d{2}\.\d{2}\.\d{4}$/.test(day)) return send(reply, { ok: 0, err: 'PARAM: mod_date must be dd.mm.yyyy' });
    const limit = query.limit === undefined ? DEFAULT_PAGE : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      return send(reply, { ok: 0, err: `PARAM: limit must be 1 to ${MAX_PAGE}` });
    }
    const after = query.after ?? '';
    const changed = [...table.values()].filter((row) => row.MOD_TS.startsWith(`${day} `));
    const rows = changed
      .filter((row) => row.EXT_REF > after)
      .sort((a, b) => (a.EXT_REF < b.EXT_REF ? -1 : a.EXT_REF > b.EXT_REF ? 1 : 0))
      .slice(0, limit);
    return reply
      .code(200)
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ ok: 1, rows, total: String(changed.length) }));
  };

  const listing = (kind: string) => (request: FastifyRequest): string =>
    (request.query as Lookup).mod_date === undefined ? `${kind}.get` : `${kind}.changed`;

  app.get<{ Querystring: Lookup }>(
    '/api/legacy/customers.php',
    { config: { operation: listing('customers') } },
    async (request, reply) => lookup(request, reply, customers, 'ids', (row) => row.CUST_NO),
  );
  app.get<{ Querystring: Lookup }>(
    '/api/legacy/orders.php',
    { config: { operation: listing('orders') } },
    async (request, reply) => lookup(request, reply, orders, 'refs', (row) => row.ORDER_NO),
  );
}

function splitKeys(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return value.split(',').map((key) => key.trim()).filter((key) => key !== '');
}

export function authorized(header: string | undefined, credentials: LegacyCredentials): boolean {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1] as string, 'base64');
  const expected = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
