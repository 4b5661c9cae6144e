import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FailureBody, SandboxContext } from '../../kit/sandbox';
import { recordViolation, SPEC_VIOLATIONS, type SpecViolation } from '../../kit/spec';
import { wooContract } from '../woocommerce/contract';
import { WC_API_BASE } from '../woocommerce/schemas';
import { customersMatching, includeOf, ordersMatching, sendPage, type Query } from './listing';
import type { WooCustomer, WooOrder } from './shop';
import { createShopWrites, WooRefusal } from './writes';

/** A REST API key of the shop: its consumer key (`ck_…`) and consumer secret (`cs_…`). */
export interface LegacyCredentials {
  readonly username: string;
  readonly password: string;
}

/** WordPress's error body. */
export const wooError = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) => ({
  code,
  message,
  data: { status, ...extra },
});

/** The fault switch's 429 and 503 in WordPress's error body. */
export function legacyFailureBody(status: number, message: string): FailureBody {
  const code = status === 429 ? 'rest_too_many_requests' : 'rest_service_unavailable';
  return { contentType: 'application/json; charset=UTF-8', body: JSON.stringify(wooError(status, code, message)) };
}

const same = (given: string, expected: string): boolean => {
  const [a, b] = [Buffer.from(given, 'utf8'), Buffer.from(expected, 'utf8')];
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * WC_REST_Authentication over HTTPS: the key and secret as HTTP Basic user and password, or as the `consumer_key` and
 * `consumer_secret` query parameters. A wrong key or secret is refused at once (401); no credentials at all reach the
 * route, whose permission check refuses them (401, `woocommerce_rest_cannot_view` and kin).
 */
function credentialsOf(request: FastifyRequest): { key: string; secret: string } | undefined {
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(request.headers.authorization ?? '');
  if (basic) {
    const text = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const at = text.indexOf(':');
    return at < 0 ? { key: text, secret: '' } : { key: text.slice(0, at), secret: text.slice(at + 1) };
  }
  const query = request.query as Query;
  return query.consumer_key !== undefined ? { key: query.consumer_key, secret: query.consumer_secret ?? '' } : undefined;
}

/**
 * The routes of the WooCommerce REST API v3 Plugboard uses: `GET|POST /wp-json/wc/v3/customers`,
 * `PUT /wp-json/wc/v3/customers/{id}`, `GET|POST /wp-json/wc/v3/orders`, `PUT /wp-json/wc/v3/orders/{id}`. Every
 * request is checked against WooCommerce's schema (../woocommerce/schemas.ts) before it is served, and refused as
 * WordPress refuses an invalid parameter (400 `rest_invalid_param`); every answer is checked before it is sent, and one
 * outside the schema (a sandbox defect) becomes a 500. Both are written to the `spec-violations` records.
 */
export function registerLegacyRoutes(
  app: FastifyInstance,
  context: SandboxContext,
  options: { readonly credentials: LegacyCredentials; readonly timeZone: string; readonly now: () => Date; readonly products: ReadonlyMap<string, number> },
): void {
  const customers = context.records.collection<WooCustomer>('customers');
  const orders = context.records.collection<WooOrder>('orders');
  const violations = context.records.collection<SpecViolation>(SPEC_VIOLATIONS);
  const contract = wooContract();
  const counters = { customer: 0, order: 0, meta: 1_000_000, line: 1_000_000 };
  const nextId = (kind: keyof typeof counters): number => {
    const table = kind === 'customer' ? customers : kind === 'order' ? orders : undefined;
    counters[kind] = Math.max(counters[kind], ...[...(table?.values() ?? [])].map((row) => row.id)) + 1;
    return counters[kind];
  };
  const writes = createShopWrites({ timeZone: options.timeZone, now: options.now, nextId, products: options.products });
  const pathOf = (request: FastifyRequest): string => request.url.split('?')[0] ?? request.url;
  const operationOf = (request: FastifyRequest): string => `${request.method} ${pathOf(request)}`;

  app.addHook('preHandler', async (request, reply) => {
    if (!pathOf(request).startsWith(WC_API_BASE)) return undefined;
    const given = credentialsOf(request);
    if (given && !same(given.key, options.credentials.username)) {
      return reply.code(401).send(wooError(401, 'woocommerce_rest_authentication_error', 'Consumer key is invalid.'));
    }
    if (given && !same(given.secret, options.credentials.password)) {
      return reply.code(401).send(wooError(401, 'woocommerce_rest_authentication_error', 'Consumer secret is invalid.'));
    }
    const problems = contract.checkRequest({ method: request.method, path: pathOf(request), query: request.query as Query, body: request.body });
    if (problems.length > 0) {
      recordViolation(violations, { side: 'request', operation: operationOf(request), problems });
      const params = Object.fromEntries(problems.map((problem) => [/\((\w+)\)$/.exec(problem)?.[1] ?? /^\w+\/(\w+)/.exec(problem)?.[1] ?? 'body', problem]));
      return reply.code(400).send(wooError(400, 'rest_invalid_param', `Invalid parameter(s): ${Object.keys(params).join(', ')}`, { params }));
    }
    if (!given) {
      const [code, message] =
        request.method === 'GET' ? ['woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.']
        : request.method === 'POST' ? ['woocommerce_rest_cannot_create', 'Sorry, you are not allowed to create resources.']
        : ['woocommerce_rest_cannot_edit', 'Sorry, you are not allowed to edit this resource.'];
      return reply.code(401).send(wooError(401, code, message));
    }
    return undefined;
  });

  app.addHook('preSerialization', async (request, reply, payload: unknown) => {
    if (!pathOf(request).startsWith(WC_API_BASE)) return payload;
    const problems = contract.checkAnswer({ method: request.method, path: pathOf(request) }, reply.statusCode, payload);
    if (problems.length === 0) return payload;
    recordViolation(violations, { side: 'answer', operation: operationOf(request), problems });
    reply.code(500);
    return wooError(500, 'plugboard_sandbox_defect', `the WooCommerce sandbox's answer is outside WooCommerce's schema: ${problems.join('; ')}`);
  });

  /** A write, or WooCommerce's refusal of it. */
  const save = (reply: FastifyReply, status: number, write: () => WooCustomer | WooOrder, store: (row: never) => void): FastifyReply => {
    try {
      const row = write();
      store(row as never);
      return reply.code(status).send(row);
    } catch (error) {
      if (error instanceof WooRefusal) return reply.code(error.status).send(wooError(error.status, error.code, error.message));
      throw error;
    }
  };
  const byId = <T>(table: Map<string, T>, request: FastifyRequest): T | undefined => table.get((request.params as { id: string }).id);
  const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, never>;
  const listed = (kind: string) => (request: FastifyRequest): string => {
    const query = request.query as Query;
    return includeOf(query) ? `${kind}.get` : query.modified_after !== undefined ? `${kind}.changed` : `${kind}.list`;
  };

  app.get(`${WC_API_BASE}/customers`, { config: { operation: listed('customers') } }, async (request, reply) =>
    sendPage(request, reply, customersMatching(customers.values(), request.query as Query)));
  app.get(`${WC_API_BASE}/orders`, { config: { operation: listed('orders') } }, async (request, reply) =>
    sendPage(request, reply, ordersMatching(orders.values(), request.query as Query)));

  app.post(`${WC_API_BASE}/customers`, { config: { operation: 'customers.save' } }, async (request, reply) =>
    save(reply, 201, () => writes.saveCustomer(body(request), undefined, customers.values()), (row: WooCustomer) => customers.set(String(row.id), row)));
  app.put(`${WC_API_BASE}/customers/:id`, { config: { operation: 'customers.save' } }, async (request, reply) => {
    const existing = byId(customers, request);
    if (!existing) return reply.code(400).send(wooError(400, 'woocommerce_rest_invalid_id', 'Invalid resource ID.'));
    return save(reply, 200, () => writes.saveCustomer(body(request), existing, customers.values()), (row: WooCustomer) => customers.set(String(row.id), row));
  });

  const customerExists = (id: number): boolean => customers.has(String(id));
  app.post(`${WC_API_BASE}/orders`, { config: { operation: 'orders.save' } }, async (request, reply) =>
    save(reply, 201, () => writes.saveOrder(body(request), undefined, customerExists), (row: WooOrder) => orders.set(String(row.id), row)));
  app.put(`${WC_API_BASE}/orders/:id`, { config: { operation: 'orders.save' } }, async (request, reply) => {
    const existing = byId(orders, request);
    if (!existing) return reply.code(400).send(wooError(400, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.'));
    return save(reply, 200, () => writes.saveOrder(body(request), existing, customerExists), (row: WooOrder) => orders.set(String(row.id), row));
  });
}
