import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { money } from '../../src/domain';
import { PROJECT_ROOT } from '../../src/project-root';
import { createXeroAdapter, type XeroAdapter } from '../../src/systems/xero/adapter';
import { aPlacedOrder } from '../contracts/invoices.contract';
import { cutRecursion, startPrism, visitDescription, type RunningPrism } from '../support/prism';

/**
 * The Xero adapter against a mock no one here wrote: Prism 5.14.2 serving Xero's published Accounting description
 * (xero-accounting.trimmed.json) with request validation. Prism keeps no state and answers Xero's own examples, so
 * these cases prove that the adapter's requests are within Xero's description and that it parses Xero's own example
 * answers; the round trips of state (an invoice created, then read, voided, paid) are the sandbox's
 * (src/systems/xero/adapter.test.ts). The token comes from a stand-in for identity.xero.com (its token endpoint is
 * not in the Accounting description).
 */

const SPEC = path.join(PROJECT_ROOT, 'src/systems/xero/xero-accounting.trimmed.json');

/**
 * The description as Prism is given it, with one fault of Xero's description and one of Prism's worked around:
 * - Xero writes its examples as JSON text in a string (`"example": "{ \"Id\": ... }"`), which Prism would serve as one
 *   JSON string: they are parsed into the objects they spell. Without an example Prism cannot answer at all: it gives
 *   up on the recursive Invoice schema ("Unable to generate body for response. The schema is too complex to
 *   generate", its SCHEMA_TOO_COMPLEX).
 * - Prism lets any request body through when its schema is recursive (see cutRecursion): the cycles are cut, so the
 *   invoice, its contact and its lines are validated; the cut properties (an invoice's payments, credit notes,
 *   allocations) are ones the adapter never sends.
 */
function prismDescription(): object {
  const description = JSON.parse(readFileSync(SPEC, 'utf8')) as { paths: unknown; components?: { schemas?: Record<string, unknown> } };
  visitDescription(description, (node) => {
    if (typeof node['example'] === 'string' && node['example'].trimStart().startsWith('{') && node['schema'] !== undefined) {
      node['example'] = JSON.parse(node['example']) as unknown;
    }
  });
  expect(cutRecursion(description)).toEqual(expect.arrayContaining(['Payment->Invoice']));
  return description;
}

/** identity.xero.com's client-credentials token endpoint, as far as the adapter needs it. */
async function startTokenEndpoint(): Promise<Server> {
  const server = createServer((request, response) => {
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const known = basic !== undefined && Buffer.from(basic, 'base64').toString('utf8') === 'PRISM_CLIENT:prism-secret';
    response.writeHead(known ? 200 : 400, { 'content-type': 'application/json' });
    response.end(JSON.stringify(known ? { access_token: 'prism-token', expires_in: 1800, token_type: 'Bearer', scope: 'accounting.transactions' } : { error: 'invalid_client' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe("the Xero adapter against Prism serving Xero's published description", () => {
  let prism: RunningPrism | undefined;
  let identity: Server | undefined;
  let xero: XeroAdapter;

  beforeAll(async () => {
    prism = await startPrism('xero-accounting', prismDescription());
    identity = await startTokenEndpoint();
    xero = createXeroAdapter({
      baseUrl: prism.url,
      tokenUrl: `http://127.0.0.1:${(identity.address() as AddressInfo).port}/connect/token`,
      clientId: 'PRISM_CLIENT',
      clientSecret: 'prism-secret',
      tenantId: '7b3c9a4e-2f61-4d0c-9a7e-5c1e8f0d2b46',
    });
  }, 60_000);

  afterAll(async () => {
    await xero?.close();
    await new Promise((resolve) => (identity ? identity.close(resolve) : resolve(undefined)));
    await prism?.close();
  });

  it("reads a batch of invoices (where on Type and Reference, page 1) and parses Xero's example page: the live invoice wins over the voided one", async () => {
    const found = await xero.findInvoicesByOrderIds(['Red Fish, Blue Fish', 'ord-prism-none']);

    expect([...found.keys()]).toEqual(['Red Fish, Blue Fish']);
    expect(found.get('Red Fish, Blue Fish')).toMatchObject({ number: 'INV-0002', status: 'PAID', total: money(4600, 'NZD'), amountDue: money(0, 'NZD') });
  });

  it("invoices an order: the POST /Invoices body and its Idempotency-Key are within the description, and Xero's example answer is read", async () => {
    const { order, customer } = aPlacedOrder();

    const invoice = await xero.upsertInvoice({ order, customer, idempotencyKey: 'prism-invoice-1' });

    // Prism answers the description's example invoice (INV-0007, authorised, 40.00 NZD), whatever was sent.
    expect(invoice).toMatchObject({ number: 'INV-0007', status: 'AWAITING_PAYMENT', total: money(4000, 'NZD'), amountDue: money(4000, 'NZD') });
  });

  it('fails on a request Xero would refuse: an invoice in a currency Xero does not know is refused, and reported as UPSTREAM_REJECTED', async () => {
    const { order, customer } = aPlacedOrder({ total: money(4997, 'ZZZ'), lines: [{ sku: 'SKU-00001', quantity: 1, unitPrice: money(4997, 'ZZZ') }] });

    await expect(xero.upsertInvoice({ order, customer, idempotencyKey: 'prism-invoice-zzz' })).rejects.toMatchObject({ code: 'UPSTREAM_REJECTED', system: 'xero' });
  });
});
