import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RecordStore, SandboxDefinition } from '../../kit/sandbox';
import type { EstateSeed } from '../../kit/seed';
import { InvoiceLedger, InvoiceRefused, toWire, type InvoiceInput, type StoredInvoice } from './invoices';
import { recordViolation, SPEC_VIOLATIONS, type SpecViolation } from '../../kit/spec';
import { loadXeroSpec } from './spec';
import { parseWhere } from './where';

export { InvoiceLedger, XERO_INVOICE_STATUSES, type StoredInvoice, type XeroInvoiceStatus } from './invoices';

/** What a client needs to reach the sandbox's organisation: a custom connection's client credentials and its tenant. */
export interface XeroSandboxCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The organisation, sent in the `xero-tenant-id` header of every API call. */
  readonly tenantId: string;
}

export const XERO_SANDBOX_CREDENTIALS: XeroSandboxCredentials = {
  clientId: 'SANDBOX_XERO_CLIENT_ID',
  clientSecret: 'sandbox-xero-client-secret',
  tenantId: '7b3c9a4e-2f61-4d0c-9a7e-5c1e8f0d2b46',
};

/** Where Xero serves its Accounting API (below the host) and its token endpoint (identity.xero.com). */
export const XERO_API_BASE = '/api.xro/2.0';
export const XERO_TOKEN_PATH = '/connect/token';
/** Invoices per page of GET /Invoices, as Xero pages them. */
export const XERO_PAGE_SIZE = 100;
export { SPEC_VIOLATIONS, type SpecViolation } from '../../kit/spec';

export interface XeroSandboxOptions {
  /** The estate to invoice at the start (one invoice per order). @default none: no invoices */
  readonly estate?: EstateSeed;
  readonly credentials?: XeroSandboxCredentials;
  /** Seconds a token lives. @default 1800 (Xero's 30 minutes) */
  readonly tokenTtlSeconds?: number;
  readonly clock?: () => number;
  /** Told of each invoice `POST /Invoices` creates or changes: the sandbox's webhook. @default nothing */
  readonly onInvoiceSaved?: (invoice: StoredInvoice, eventType: 'CREATE' | 'UPDATE') => void;
}

/** The sandbox's invoices, to read or pay in tests (`pay` is what a customer paying does in Xero). */
export const invoicesOf = (records: RecordStore): InvoiceLedger => new InvoiceLedger(records);

const same = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** Xero's error body for a refused request (its `Error` schema). */
const validationException = (message: string, elements: readonly unknown[] = []) => ({
  ErrorNumber: 10,
  Type: 'ValidationException',
  Message: message,
  Elements: elements,
});

/** Xero's problem body for 401/403/429/503 (RFC 7807 shaped, as its identity and API gateways answer). */
const problem = (status: number, title: string, detail: string) => ({ Type: null, Title: title, Status: status, Detail: detail, Instance: randomUUID(), Extensions: {} });

/**
 * Xero: shaped like the Xero Accounting API (https://developer.xero.com/documentation/api/accounting/invoices) and
 * checked against Xero's own OpenAPI description (xero-accounting.trimmed.json): every request it receives and every
 * answer it sends is validated; each difference is refused (a request) or turned into a 500 (an answer: a sandbox
 * defect), and written to `records.collection('spec-violations')` so that a test fails loudly.
 *
 * `POST /connect/token` (client credentials, HTTP Basic, as a Xero custom connection), `GET /api.xro/2.0/Invoices`
 * (`where` on Type/Reference/InvoiceNumber/Status, `InvoiceNumbers`, `Statuses`, `page`: 100 a page),
 * `POST /api.xro/2.0/Invoices` (update-or-create: by InvoiceID, else by InvoiceNumber; `Idempotency-Key` replays the
 * first answer). Dates as Xero writes them (`/Date(1552262400000+0000)/`); `xero-tenant-id` required.
 *
 * Sandbox simplifications: no tax (TotalTax 0), no payments API (tests pay through {@link InvoiceLedger.pay}), no
 * contacts API (a contact is made from the invoice's Contact Name/ContactNumber).
 */
export function createXeroSandbox(options: XeroSandboxOptions = {}): SandboxDefinition {
  const credentials = options.credentials ?? XERO_SANDBOX_CREDENTIALS;
  const ttlSeconds = options.tokenTtlSeconds ?? 1800;
  const clock = options.clock ?? Date.now;
  return {
    name: 'xero',
    contentTypes: ['application/x-www-form-urlencoded'],
    failureBody: (status, message) => ({
      contentType: 'application/json',
      body: JSON.stringify(problem(status, status === 429 ? 'Too Many Requests' : 'Service Unavailable', message)),
    }),
    routes: async (app, { records }) => {
      const spec = loadXeroSpec();
      const ledger = new InvoiceLedger(records, clock);
      if (options.estate) ledger.seed(options.estate);
      const tokens = new Map<string, number>();
      const replays = new Map<string, { status: number; body: unknown }>();
      const violations = records.collection<SpecViolation>(SPEC_VIOLATIONS);
      const violation = (entry: SpecViolation): void => recordViolation(violations, entry);

      /** Sends an answer after checking it against Xero's description. */
      const answer = (reply: FastifyReply, method: string, path: string, status: number, body: unknown): FastifyReply => {
        const problems = spec.checkAnswer(method, path, status, body).map((difference) => difference.message);
        if (problems.length) {
          violation({ side: 'answer', operation: `${method} ${path}`, problems });
          return reply.code(500).send({ sandboxDefect: `the Xero sandbox's answer is outside Xero's description: ${problems.join('; ')}` });
        }
        return reply.code(status).send(body);
      };

      app.post(XERO_TOKEN_PATH, { config: { operation: 'token' } }, async (request, reply) => {
        const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
        const [id = '', secret = ''] = Buffer.from(basic ?? '', 'base64').toString('utf8').split(':');
        const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
        if (form.get('grant_type') !== 'client_credentials') return reply.code(400).send({ error: 'unsupported_grant_type' });
        if (!same(id, credentials.clientId) || !same(secret, credentials.clientSecret)) return reply.code(400).send({ error: 'invalid_client' });
        const token = randomBytes(24).toString('base64url');
        tokens.set(token, clock() + ttlSeconds * 1000);
        return { access_token: token, expires_in: ttlSeconds, token_type: 'Bearer', scope: 'accounting.transactions' };
      });

      const api = async (scope: FastifyInstance): Promise<void> => {
        scope.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
          const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
          const expiresAt = bearer === undefined ? undefined : tokens.get(bearer);
          if (expiresAt === undefined || expiresAt <= clock()) {
            return reply.code(401).send(problem(401, 'Unauthorized', expiresAt === undefined ? 'AuthenticationUnsuccessful' : 'TokenExpired: token expired'));
          }
          const path = request.routeOptions.url!.slice(XERO_API_BASE.length);
          const problems = spec.checkRequest({
            method: request.method,
            path,
            query: request.query as Record<string, string>,
            headers: request.headers,
            body: request.body,
          }).map((difference) => difference.message);
          if (problems.length) {
            violation({ side: 'request', operation: `${request.method} ${path}`, problems });
            return answer(reply, request.method, path, 400, validationException(`A validation exception occurred: ${problems.join('; ')}`));
          }
          const tenant = request.headers['xero-tenant-id'];
          if (tenant !== credentials.tenantId) return reply.code(403).send(problem(403, 'Forbidden', 'AuthorizationUnsuccessful'));
          return undefined;
        });

        scope.get('/Invoices', { config: { operation: 'getInvoices' } }, async (request, reply) => {
          const query = request.query as Record<string, string | undefined>;
          let filter: (row: Readonly<Record<string, unknown>>) => boolean = () => true;
          try {
            if (query['where']) filter = parseWhere(query['where']);
          } catch (error) {
            return answer(reply, 'GET', '/Invoices', 400, validationException((error as Error).message));
          }
          const numbers = query['InvoiceNumbers']?.split(',');
          const statuses = query['Statuses']?.split(',');
          const page = Math.max(1, Number(query['page'] ?? 1));
          const found = ledger
            .all()
            .filter((invoice) => filter(invoice as unknown as Record<string, unknown>))
            .filter((invoice) => (!numbers || numbers.includes(invoice.InvoiceNumber)) && (!statuses || statuses.includes(invoice.Status)))
            .filter((invoice) => invoice.Status !== 'DELETED' || statuses?.includes('DELETED'))
            .sort((a, b) => a.UpdatedDateUTC - b.UpdatedDateUTC || a.InvoiceID.localeCompare(b.InvoiceID))
            .slice((page - 1) * XERO_PAGE_SIZE, page * XERO_PAGE_SIZE);
          return answer(reply, 'GET', '/Invoices', 200, envelope(clock(), found.map(toWire)));
        });

        scope.post('/Invoices', { config: { operation: 'updateOrCreateInvoices' } }, async (request, reply) => {
          const key = request.headers['idempotency-key'];
          const replay = typeof key === 'string' ? replays.get(key) : undefined;
          if (replay) return answer(reply, 'POST', '/Invoices', replay.status, replay.body);
          const inputs = ((request.body as { Invoices?: InvoiceInput[] }).Invoices ?? []);
          const saved: Record<string, unknown>[] = [];
          let status = 200;
          let body: unknown;
          try {
            for (const input of inputs) {
              const before = new Map(ledger.all().map((invoice) => [invoice.InvoiceID, invoice.UpdatedDateUTC]));
              const invoice = ledger.save(input);
              saved.push(toWire(invoice));
              // An invoice made or changed is an event; one saved unchanged is none (its UpdatedDateUTC stays).
              const previous = before.get(invoice.InvoiceID);
              if (previous !== invoice.UpdatedDateUTC) options.onInvoiceSaved?.(invoice, previous === undefined ? 'CREATE' : 'UPDATE');
            }
            body = envelope(clock(), saved);
          } catch (error) {
            if (!(error instanceof InvoiceRefused)) throw error;
            status = 400;
            body = validationException('A validation exception occurred', [{ ValidationErrors: error.messages.map((Message) => ({ Message })) }]);
          }
          if (typeof key === 'string') replays.set(key, { status, body });
          return answer(reply, 'POST', '/Invoices', status, body);
        });
      };
      await app.register(api, { prefix: XERO_API_BASE });
    },
  };
}

/** The envelope every Accounting API answer has. */
function envelope(now: number, invoices: readonly Record<string, unknown>[]) {
  return { Id: randomUUID(), Status: 'OK', ProviderName: 'Plugboard', DateTimeUTC: `/Date(${now})/`, Invoices: invoices };
}
