import type { FastifyRequest } from 'fastify';
import { createErpAdapter } from './adapter';
import { type Erp } from '../../domain';
import { startSandbox, type FaultSetting, type RunningSandbox, type SandboxDefinition } from '../kit/sandbox';
import { createErpSandbox, ERP_SANDBOX_CREDENTIALS } from './sandbox';
import { generateEstate, type EstateSeed } from '../kit/seed';
import { describeErpContract, type ErpContractSystem } from '../../../test/contracts/erp.contract';
import { failureOf } from '../../../test/support/failures';

const credentials = ERP_SANDBOX_CREDENTIALS;

/** Reads the sandbox's window over HTTP, as an operator would. */
function windowOf(sandbox: RunningSandbox) {
  const record = async (collection: string, id: string): Promise<Record<string, unknown> | undefined> => {
    const response = await fetch(`${sandbox.url}/_sandbox/records/${encodeURIComponent(collection)}/${encodeURIComponent(id)}`);
    if (response.status === 404) return undefined;
    return (await response.json()) as Record<string, unknown>;
  };
  const stats = async (): Promise<{ total: number; byOperation: Record<string, number> }> =>
    (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as { total: number; byOperation: Record<string, number> };
  const setFault = async (setting: FaultSetting): Promise<void> => {
    const response = await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(setting),
    });
    expect(response.status).toBe(200);
  };
  return { record, stats, setFault };
}

function contractSystem(sandbox: RunningSandbox): ErpContractSystem {
  const { record, stats, setFault } = windowOf(sandbox);
  return {
    setFault,
    requestCount: async () => (await stats()).total,
    async stockOf(sku) {
      const quant = await record('stock.quant', sku);
      return quant && { onHand: Number(quant['quantity']), reserved: Number(quant['reserved_quantity']) };
    },
    async partnerOf(customerId) {
      const partner = await record('res.partner', customerId);
      return (
        partner && {
          name: String(partner['name']),
          email: partner['email'] === false ? '' : String(partner['email']),
          phone: partner['phone'] === false ? null : String(partner['phone']),
        }
      );
    },
    async orderOf(orderId) {
      const order = await record('sale.order', orderId);
      if (!order) return undefined;
      const lines = await Promise.all((order['order_line'] as number[]).map((id) => record('sale.order.line', String(id))));
      return { lineCount: lines.filter((line) => Number(line?.['product_uom_qty']) > 0).length };
    },
  };
}

const estate = generateEstate();

describeErpContract('Odoo-style adapter against the ERP sandbox', async () => {
  const sandbox = await startSandbox(createErpSandbox(estate));
  const erp = createErpAdapter({ baseUrl: sandbox.url, ...credentials });
  return {
    erp,
    systemName: 'erp',
    estate,
    system: contractSystem(sandbox),
    async close() {
      await erp[Symbol.asyncDispose]();
      await sandbox.close();
    },
  };
});

describe('ERP adapter against the ERP sandbox', () => {
  let sandbox: RunningSandbox;
  let erp: Erp & AsyncDisposable;
  let window: ReturnType<typeof windowOf>;

  beforeAll(async () => {
    sandbox = await startSandbox(createErpSandbox(estate));
    erp = createErpAdapter({ baseUrl: sandbox.url, ...credentials });
    window = windowOf(sandbox);
  });
  afterEach(async () => {
    await window.setFault({ mode: 'ok' });
  });
  afterAll(async () => {
    await erp?.[Symbol.asyncDispose]();
    await sandbox?.close();
  });

  it('reads 500 SKUs with exactly one product.product.search_read', async () => {
    await erp.findItemsBySkus([estate.items[0]?.sku ?? '']);
    const before = await window.stats();
    const skus = estate.items.slice(0, 500).map((item) => item.sku);
    const found = await erp.findItemsBySkus(skus);
    const after = await window.stats();
    expect(found.size).toBe(500);
    expect(after.total - before.total).toBe(1);
    expect((after.byOperation['product.product.search_read'] ?? 0) - (before.byOperation['product.product.search_read'] ?? 0)).toBe(1);
  });

  it('refuses to reserve more than is available with the ERP reason, and nothing changes in the records', async () => {
    const item = estate.items.find((candidate) => candidate.available > 0 && candidate.sku > 'SKU-00400');
    if (!item) throw new Error('no item with stock');
    // Odoo reserves what it can, then gives it back: the quant is written twice, its figures end as they were.
    const figures = async () => {
      const [quant, product] = [await window.record('stock.quant', item.sku), await window.record('product.product', item.sku)];
      return [quant?.['quantity'], quant?.['reserved_quantity'], product?.['qty_available'], product?.['virtual_available']];
    };
    const before = await figures();
    const error = await failureOf(
      erp.reserveStock({ orderId: 'ord-big', sku: item.sku, quantity: item.available + 5, idempotencyKey: 'too-many' }),
    );
    expect(error.code).toBe('UPSTREAM_REJECTED');
    expect(error.message).toContain(`${item.available} available`);
    expect(error.countsAgainstHealth).toBe(false);
    expect(await figures()).toEqual(before);
  });

  it('turns a ValidationError envelope (HTTP 200) into UPSTREAM_REJECTED with the reason', async () => {
    const customer = { ...(estate.customers[7] as EstateSeed['customers'][number]), id: 'cus-nameless', name: '' };
    const error = await failureOf(erp.upsertPartner({ customer, idempotencyKey: 'nameless' }));
    expect(error.code).toBe('UPSTREAM_REJECTED');
    expect(error.message).toMatch(/mandatory field is not set.*Name \(name\)/);
    expect(await window.record('res.partner', 'cus-nameless')).toBeUndefined();
  });

  it('refuses an order for a customer the ERP does not know, or for an unknown SKU', async () => {
    const order = estate.orders[3] as EstateSeed['orders'][number];
    const stranger = await failureOf(
      erp.upsertOrder({ order: { ...order, id: 'ord-stranger', customerId: 'cus-unknown' }, idempotencyKey: 'stranger' }),
    );
    expect(stranger.code).toBe('UPSTREAM_REJECTED');
    expect(stranger.message).toContain('no partner for customer "cus-unknown"');
    const unknownSku = await failureOf(
      erp.upsertOrder({
        order: { ...order, id: 'ord-unknown-sku', lines: [{ sku: 'SKU-NOPE', quantity: 1, unitPrice: order.total }] },
        idempotencyKey: 'unknown-sku',
      }),
    );
    expect(unknownSku.code).toBe('UPSTREAM_REJECTED');
    expect(unknownSku.message).toContain('"SKU-NOPE"');
    expect(await window.record('sale.order', 'ord-stranger')).toBeUndefined();
    expect(await window.record('sale.order', 'ord-unknown-sku')).toBeUndefined();
  });

  it('refuses a bad API key with UPSTREAM_AUTH_FAILED, without the key in the message', async () => {
    const wrong = createErpAdapter({ baseUrl: sandbox.url, ...credentials, apiKey: 'not-the-key' });
    try {
      const error = await failureOf(wrong.findItemsBySkus(['SKU-00001']));
      expect(error.code).toBe('UPSTREAM_AUTH_FAILED');
      expect(error.system).toBe('erp');
      expect(error.message).not.toContain('not-the-key');
    } finally {
      await wrong[Symbol.asyncDispose]();
    }
  });

  it('names the system it was given in its errors', async () => {
    const named = createErpAdapter({ baseUrl: sandbox.url, ...credentials, apiKey: 'wrong', system: 'odoo-eu' });
    try {
      expect((await failureOf(named.findPartnersByCustomerIds(['cus-00001']))).system).toBe('odoo-eu');
    } finally {
      await named[Symbol.asyncDispose]();
    }
  });

  it('logs in once for concurrent first calls', async () => {
    const fresh = createErpAdapter({ baseUrl: sandbox.url, ...credentials });
    try {
      const before = (await window.stats()).byOperation['common.authenticate'] ?? 0;
      await Promise.all(estate.items.slice(0, 5).map((item) => fresh.findItemsBySkus([item.sku])));
      expect((await window.stats()).byOperation['common.authenticate']).toBe(before + 1);
    } finally {
      await fresh[Symbol.asyncDispose]();
    }
  });

  it("gives up with UPSTREAM_TIMEOUT when the caller's signal aborts", async () => {
    await erp.findItemsBySkus(['SKU-00001']);
    await window.setFault({ mode: 'slow', delayMs: 60_000 });
    const controller = new AbortController();
    const pending = erp.findItemsBySkus(['SKU-00001'], { signal: controller.signal });
    controller.abort();
    expect((await failureOf(pending)).code).toBe('UPSTREAM_TIMEOUT');
  });
});

/**
 * An Odoo that answers what each test scripts, for the envelopes the sandbox never sends on its own. Each answer is
 * given the request's JSON-RPC id unless it sets its own.
 */
type Script = (call: { service: string; method: string; args: unknown[] }) => Record<string, unknown>;

function scriptedOdoo(script: { current: Script }): SandboxDefinition {
  const paramsOf = (request: FastifyRequest) =>
    (request.body as { params: { service: string; method: string; args: unknown[] } }).params;
  return {
    name: 'erp',
    routes(app) {
      app.post(
        '/jsonrpc',
        {
          config: {
            operation: (request) => {
              const params = paramsOf(request);
              return params.service === 'object' ? `${String(params.args[3])}.${String(params.args[4])}` : `common.${params.method}`;
            },
          },
        },
        async (request) => {
          const params = paramsOf(request);
          const id = (request.body as { id: unknown }).id;
          if (params.service === 'common') return { jsonrpc: '2.0', id, result: 2 };
          return { jsonrpc: '2.0', id, ...script.current(params) };
        },
      );
    },
  };
}

const odooError = (name: string, message: string) => ({
  error: { code: 200, message: 'Odoo Server Error', data: { name, message, debug: 'Traceback…', arguments: [message], context: {} } },
});

describe('ERP adapter: Odoo error envelopes and bad answers', () => {
  const script: { current: Script } = { current: () => ({ result: [] }) };
  let stub: RunningSandbox;
  let erp: Erp & AsyncDisposable;

  beforeAll(async () => {
    stub = await startSandbox(scriptedOdoo(script));
    erp = createErpAdapter({ baseUrl: stub.url, ...credentials });
  });
  afterAll(async () => {
    await erp?.[Symbol.asyncDispose]();
    await stub?.close();
  });
  beforeEach(() => {
    stub.stats.reset();
  });

  it.each([
    ['odoo.exceptions.ValidationError', 'UPSTREAM_REJECTED'],
    ['odoo.exceptions.UserError', 'UPSTREAM_REJECTED'],
    ['odoo.exceptions.MissingError', 'UPSTREAM_REJECTED'],
    ['builtins.KeyError', 'UPSTREAM_UNAVAILABLE'],
    ['psycopg2.OperationalError', 'UPSTREAM_UNAVAILABLE'],
  ])('turns %s (HTTP 200) into %s, with its message as the reason', async (name, code) => {
    script.current = () => odooError(name, `what ${name} said`);
    const error = await failureOf(erp.findOrdersByOrderIds(['ord-000001']));
    expect(error.code).toBe(code);
    expect(error.message).toContain(`what ${name} said`);
  });

  it('logs in again once when a call is refused with AccessDenied, then succeeds', async () => {
    let refusals = 1;
    script.current = () => (refusals-- > 0 ? odooError('odoo.exceptions.AccessDenied', 'Access Denied') : { result: { length: 0, records: [] } });
    await erp.findOrdersByOrderIds(['ord-000001']);
    expect(stub.stats.snapshot().byOperation).toEqual({ 'common.authenticate': 1, 'sale.order.web_search_read': 2 });
  });

  it('gives UPSTREAM_AUTH_FAILED when AccessDenied persists after logging in again', async () => {
    script.current = () => odooError('odoo.exceptions.AccessDenied', 'Access Denied');
    const error = await failureOf(erp.findItemsBySkus(['SKU-00001']));
    expect(error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(stub.stats.snapshot().byOperation).toEqual({ 'common.authenticate': 1, 'product.product.search_read': 2 });
  });

  it('gives UPSTREAM_BAD_RESPONSE for an answer with neither result nor error', async () => {
    script.current = () => ({});
    const error = await failureOf(erp.findItemsBySkus(['SKU-00001']));
    expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.message).toContain('neither a result nor an error');
  });

  it('gives UPSTREAM_BAD_RESPONSE naming the field for a result of the wrong shape', async () => {
    script.current = () => ({
      result: [{ id: 1, default_code: 'SKU-00001', name: 'Vase', list_price: '12.50', qty_available: 3, virtual_available: 3, currency_id: [1, 'EUR'], write_date: '2026-01-02 03:04:05' }],
    });
    const error = await failureOf(erp.findItemsBySkus(['SKU-00001']));
    expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.message).toContain('0.list_price');
  });

  it('gives UPSTREAM_BAD_RESPONSE for a datetime that is not Odoo\'s', async () => {
    script.current = () => ({
      result: [{ id: 1, ref: 'cus-00001', name: 'Ada', email: false, phone: false, write_date: '2026-01-02T03:04:05Z' }],
    });
    const error = await failureOf(erp.findPartnersByCustomerIds(['cus-00001']));
    expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.message).toContain('write_date');
  });

  it('gives UPSTREAM_BAD_RESPONSE for an answer to another request', async () => {
    script.current = () => ({ id: 424242, result: [] });
    expect((await failureOf(erp.findItemsBySkus(['SKU-00001']))).code).toBe('UPSTREAM_BAD_RESPONSE');
  });

  it('maps Odoo floats, false and UTC datetimes into the domain', async () => {
    script.current = () => ({
      result: [{ id: 9, ref: 'cus-00001', name: 'Ada', email: false, phone: false, write_date: '2026-01-02 03:04:05' }],
    });
    expect((await erp.findPartnersByCustomerIds(['cus-00001'])).get('cus-00001')).toEqual({
      customerId: 'cus-00001',
      erpId: 9,
      email: '',
      name: 'Ada',
      phone: null,
      updatedAt: new Date('2026-01-02T03:04:05Z'),
    });
    script.current = () => ({
      result: [{ id: 3, default_code: 'SKU-00001', name: 'Vase', list_price: 0.1 + 0.2, qty_available: 4, virtual_available: 1, currency_id: [1, 'EUR'], write_date: '2026-01-02 03:04:05' }],
    });
    expect((await erp.findItemsBySkus(['SKU-00001'])).get('SKU-00001')?.price).toEqual({ minor: 30, currency: 'EUR' });
  });
});
