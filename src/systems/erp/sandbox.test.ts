import { startSandbox, type RunningSandbox } from '../kit/sandbox';
import { generateEstate, type EstateSeed } from '../kit/seed';
import { createErpAdapter } from './adapter';
import { createErpSandbox, ERP_SANDBOX_CREDENTIALS } from './sandbox';

/**
 * The ERP sandbox held to what was seen on a real Odoo 17 server over /jsonrpc (docs/estate.md, the ERP row), called
 * as any Odoo client calls it: raw JSON-RPC envelopes, no adapter in between (except where a test says so).
 */
const estate = generateEstate();
const { db, login, apiKey } = ERP_SANDBOX_CREDENTIALS;

interface Envelope {
  readonly jsonrpc: string;
  readonly id: unknown;
  readonly result?: unknown;
  readonly error?: { code: number; message: string; data: { name: string; message: string } };
}

describe('ERP sandbox: stock Odoo 17 over /jsonrpc', () => {
  let sandbox: RunningSandbox;
  let uid: number;
  let nextId = 0;

  const envelope = async (service: string, method: string, args: unknown[]): Promise<{ status: number; body: Envelope }> => {
    nextId += 1;
    const response = await fetch(`${sandbox.url}/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: nextId }),
    });
    return { status: response.status, body: (await response.json()) as Envelope };
  };
  const call = async (model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<Envelope> =>
    (await envelope('object', 'execute_kw', [db, uid, apiKey, model, method, args, kwargs])).body;
  const result = async <T>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> => {
    const answer = await call(model, method, args, kwargs);
    if (answer.error) throw new Error(`${model}.${method}: ${answer.error.data.name}: ${answer.error.data.message}`);
    return answer.result as T;
  };
  const errorName = async (model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<string | undefined> =>
    (await call(model, method, args, kwargs)).error?.data.name;

  const partnerId = async (customer: EstateSeed['customers'][number]): Promise<number> =>
    (await result<number[]>('res.partner', 'search', [[['ref', '=', customer.id]]]))[0]!;
  const productId = async (sku: string): Promise<number> => (await result<number[]>('product.product', 'search', [[['default_code', '=', sku]]]))[0]!;
  const inStock = (nth: number): EstateSeed['items'][number] => estate.items.filter((item) => item.available >= 20)[nth]!;
  /** A quotation of two lines, made as an Odoo client makes one. */
  const quotation = async (ref: string, nth: number): Promise<{ id: number; lines: number[] }> => {
    const [first, second] = [inStock(nth), inStock(nth + 1)];
    const id = await result<number>('sale.order', 'create', [
      {
        client_order_ref: ref,
        partner_id: await partnerId(estate.customers[nth]!),
        order_line: [
          [0, 0, { product_id: await productId(first.sku), product_uom_qty: 2, price_unit: 10 }],
          [0, 0, { product_id: await productId(second.sku), product_uom_qty: 1, price_unit: 5 }],
        ],
      },
    ]);
    const [order] = await result<{ order_line: number[] }[]>('sale.order', 'read', [[id], ['order_line']]);
    return { id, lines: order!.order_line };
  };
  const order = async (id: number) =>
    (await result<{ state: string; locked: boolean; delivery_status: string | false; picking_ids: number[] }[]>('sale.order', 'read', [[id], ['state', 'locked', 'delivery_status', 'picking_ids']]))[0]!;

  beforeAll(async () => {
    sandbox = await startSandbox(createErpSandbox(estate));
    uid = (await envelope('common', 'authenticate', [db, login, apiKey, {}])).body.result as number;
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('answers errors as Odoo does: HTTP 200, code 200, "Odoo Server Error", the exception in data.name', async () => {
    const { status, body } = await envelope('object', 'execute_kw', [db, uid, apiKey, 'sale.order', 'search_read', [[]], { fields: ['x_partner_ref'], limit: 1 }]);
    expect(status).toBe(200);
    expect(body.error).toMatchObject({ code: 200, message: 'Odoo Server Error', data: { name: 'builtins.ValueError', message: expect.stringContaining('Invalid field') } });
    expect(await errorName('sale.order', 'search_read', [[]], { fields: ['x_delivery_state'] })).toBe('builtins.ValueError');
    expect(await errorName('stock.quant', 'action_adjust_quantity', [1, 1, 'count'])).toBe('builtins.AttributeError');
    expect(await errorName('sale.order', '_action_cancel', [[1]])).toBe('odoo.exceptions.AccessError');
    expect(await errorName('x.unknown', 'search', [[]])).toBe('odoo.exceptions.UserError');
    expect(await errorName('res.partner', 'create', [{ email: 'no.name@example.com' }])).toBe('odoo.exceptions.ValidationError');
    expect(await errorName('res.partner', 'write', [[999_999], { name: 'Nobody' }])).toBe('odoo.exceptions.MissingError');
    expect(await result('res.partner', 'read', [[999_999], ['name']])).toEqual([]);
    expect((await envelope('common', 'authenticate', [db, login, 'wrong', {}])).body.result).toBe(false);
    expect((await envelope('object', 'execute_kw', [db, uid, 'wrong', 'res.partner', 'search', [[]]])).body.error?.data.name).toBe('odoo.exceptions.AccessDenied');
  });

  it('web_search_read answers {length, records}, a many2one as its id, or as a dict of the fields its spec asks', async () => {
    const seeded = estate.orders[0]!;
    const answer = await result<{ length: number; records: Record<string, unknown>[] }>('sale.order', 'web_search_read', [
      [['client_order_ref', '=', seeded.id]],
      { client_order_ref: {}, partner_id: { fields: { ref: {} } }, currency_id: {} },
    ]);
    expect(answer).toEqual({ length: 1, records: [{ id: expect.any(Number), client_order_ref: seeded.id, partner_id: { id: expect.any(Number), ref: seeded.customerId }, currency_id: 1 }] });
  });

  it('action_confirm: state sale, not locked, delivery pending, one outgoing picking reserved', async () => {
    const { id } = await quotation('sb-confirm', 1);
    expect(await order(id)).toMatchObject({ state: 'draft', delivery_status: false, picking_ids: [] });
    expect(await result('sale.order', 'action_confirm', [[id]])).toBe(true);
    const confirmed = await order(id);
    expect(confirmed).toMatchObject({ state: 'sale', locked: false, delivery_status: 'pending' });
    expect(confirmed.picking_ids).toHaveLength(1);
    const [picking] = await result<{ state: string; picking_type_code: string }[]>('stock.picking', 'read', [confirmed.picking_ids, ['state', 'picking_type_code']]);
    expect(picking).toEqual({ id: confirmed.picking_ids[0], state: 'assigned', picking_type_code: 'outgoing' });
    // Validated: fully delivered, and the order's state stays 'sale'.
    expect(await result('stock.picking', 'button_validate', [confirmed.picking_ids])).toBe(true);
    expect(await order(id)).toMatchObject({ state: 'sale', delivery_status: 'full' });
  });

  it('action_cancel: the wizard on a confirmed order unless disable_cancel_warning; true on a draft; UserError when locked', async () => {
    const draft = await quotation('sb-cancel-draft', 3);
    expect(await result('sale.order', 'action_cancel', [[draft.id]])).toBe(true);
    expect((await order(draft.id)).state).toBe('cancel');

    const { id } = await quotation('sb-cancel-confirmed', 5);
    await result('sale.order', 'action_confirm', [[id]]);
    expect(await result('sale.order', 'action_cancel', [[id]])).toMatchObject({ type: 'ir.actions.act_window', res_model: 'sale.order.cancel' });
    expect((await order(id)).state).toBe('sale');

    const answer = await envelope('object', 'execute_kw', [db, uid, apiKey, 'sale.order', 'action_lock', [[id]]]);
    expect(answer.body).toEqual({ jsonrpc: '2.0', id: nextId });
    expect(await errorName('sale.order', 'action_cancel', [[id]], { context: { disable_cancel_warning: true } })).toBe('odoo.exceptions.UserError');
    await result('sale.order', 'action_unlock', [[id]]);
    expect(await result('sale.order', 'action_cancel', [[id]], { context: { disable_cancel_warning: true } })).toBe(true);
    expect(await order(id)).toMatchObject({ state: 'cancel', delivery_status: false });
  });

  it("a confirmed order's lines: (5), (2, id) and unlink refused; quantity 0 and (0, 0, vals) work", async () => {
    const { id, lines } = await quotation('sb-lines', 7);
    await result('sale.order', 'action_confirm', [[id]]);
    expect(await errorName('sale.order', 'write', [[id], { order_line: [[5, 0, 0]] }])).toBe('odoo.exceptions.UserError');
    expect(await errorName('sale.order', 'write', [[id], { order_line: [[2, lines[1], 0]] }])).toBe('odoo.exceptions.UserError');
    expect(await errorName('sale.order.line', 'unlink', [[lines[1]]])).toBe('odoo.exceptions.UserError');
    const extra = await productId(inStock(9).sku);
    expect(await result('sale.order', 'write', [[id], { order_line: [[1, lines[1], { product_uom_qty: 0 }], [0, 0, { product_id: extra, product_uom_qty: 1, price_unit: 3 }]] }])).toBe(true);
    const [read] = await result<{ order_line: number[]; amount_total: number }[]>('sale.order', 'read', [[id], ['order_line', 'amount_total']]);
    expect(read).toMatchObject({ order_line: [...lines, expect.any(Number)], amount_total: 23 });
  });

  it('stock.quant: inventory_quantity + action_apply_inventory (no result); auto apply in inventory mode only; locations not editable there', async () => {
    const item = inStock(11);
    const [quant] = await result<{ id: number; quantity: number }[]>('stock.quant', 'search_read', [[['product_id', '=', await productId(item.sku)]]], { fields: ['quantity'] });
    const context = { inventory_mode: true };
    expect(await errorName('stock.quant', 'write', [[quant!.id], { location_id: 8 }], { context })).toBe('odoo.exceptions.UserError');
    expect(await result('stock.quant', 'write', [[quant!.id], { inventory_quantity: quant!.quantity + 4 }], { context })).toBe(true);
    const applied = await envelope('object', 'execute_kw', [db, uid, apiKey, 'stock.quant', 'action_apply_inventory', [[quant!.id]], { context }]);
    expect(applied.body).toEqual({ jsonrpc: '2.0', id: nextId });
    // Outside inventory mode the auto-apply inverse returns early (`_set_inventory_quantity`): nothing moves.
    await result('stock.quant', 'write', [[quant!.id], { inventory_quantity_auto_apply: quant!.quantity }]);
    await result('stock.quant', 'write', [[quant!.id], { inventory_quantity_auto_apply: quant!.quantity + 1 }], { context });
    const [after] = await result<{ quantity: number; inventory_quantity_set: boolean }[]>('stock.quant', 'read', [[quant!.id], ['quantity', 'inventory_quantity_set']]);
    expect(after).toMatchObject({ quantity: quant!.quantity + 1, inventory_quantity_set: false });
  });

  it("names the inventory move after inventory_name, and adds the quant's user when it is assigned one", async () => {
    const item = inStock(12);
    const product = await productId(item.sku);
    const [quant] = await result<{ id: number; quantity: number }[]>('stock.quant', 'search_read', [[['product_id', '=', product]]], { fields: ['quantity'] });
    const context = { inventory_mode: true, inventory_name: 'count sb-named' };
    await result('stock.quant', 'write', [[quant!.id], { inventory_quantity: quant!.quantity + 2, user_id: uid }], { context });
    await result('stock.quant', 'action_apply_inventory', [[quant!.id]], { context });
    const moves = await result<{ name: string; location_dest_id: [number, string] }[]>('stock.move', 'search_read', [[['is_inventory', '=', true], ['product_id', '=', product]]], { fields: ['name', 'location_dest_id'] });
    expect(moves).toEqual([{ id: expect.any(Number), name: 'count sb-named (Plugboard API)', location_dest_id: [8, 'WH/Stock'] }]);
  });

  it('action_confirm refuses an order that is not a quotation; a picking needs its moves\' locations; button_validate refuses nothing reserved', async () => {
    const { id } = await quotation('sb-twice', 13);
    await result('sale.order', 'action_confirm', [[id]]);
    expect(await errorName('sale.order', 'action_confirm', [[id]])).toBe('odoo.exceptions.UserError');

    const type = 2;
    const product = await productId(inStock(14).sku);
    const withoutLocations = await call('stock.picking', 'create', [{ picking_type_id: type, move_ids: [[0, 0, { name: 'no locations', product_id: product, product_uom_qty: 1 }]] }]);
    expect(withoutLocations.error?.data).toMatchObject({ name: 'odoo.exceptions.ValidationError', message: expect.stringMatching(/Source Location \(location_id\)/) });

    const scarce = estate.items.find((item) => item.onHand - item.reserved <= 0);
    const picking = await result<number>('stock.picking', 'create', [
      { picking_type_id: type, move_ids: [[0, 0, { name: 'nothing free', product_id: await productId(scarce!.sku), product_uom_qty: 1, location_id: 8, location_dest_id: 5 }]] },
    ]);
    expect((await result<{ location_id: [number, string] }[]>('stock.picking', 'read', [[picking], ['location_id']]))[0]!.location_id).toEqual([8, 'WH/Stock']);
    await result('stock.picking', 'action_assign', [[picking]]);
    expect(await call('stock.picking', 'button_validate', [[picking]])).toMatchObject({ error: { data: { name: 'odoo.exceptions.UserError', message: expect.stringMatching(/no quantities are reserved/) } } });
  });

  it('the adapter moves orders through the actions: a delivery exists once confirmed, the cancel goes through', async () => {
    const erp = createErpAdapter({ baseUrl: sandbox.url, ...ERP_SANDBOX_CREDENTIALS });
    try {
      const base = estate.orders.find((one) => one.status === 'PENDING' && one.lines.every((line) => (estate.items.find((item) => item.sku === line.sku)?.available ?? 0) >= line.quantity))!;
      const confirmed = await erp.upsertOrder({ order: { ...base, status: 'CONFIRMED' }, idempotencyKey: 'sb-adapter-1' });
      expect(confirmed.status).toBe('CONFIRMED');
      expect((await order(confirmed.erpId)).picking_ids).toHaveLength(1);
      expect((await erp.upsertOrder({ order: { ...base, status: 'CANCELLED' }, idempotencyKey: 'sb-adapter-2' })).status).toBe('CANCELLED');
      expect(await order(confirmed.erpId)).toMatchObject({ state: 'cancel', delivery_status: false });
    } finally {
      await erp[Symbol.asyncDispose]();
    }
  });

  it("the adapter finds a count whose answer was lost though Odoo added the counter's name to the move, and counts it once", async () => {
    const item = inStock(15);
    const product = await productId(item.sku);
    const [quant] = await result<{ id: number; quantity: number }[]>('stock.quant', 'search_read', [[['product_id', '=', product]]], { fields: ['quantity'] });
    // The adapter's first try, as it reached Odoo: the quant assigned to a user, counted 3 up, applied; its answer lost.
    const context = { inventory_mode: true, inventory_name: 'Plugboard: recount [sb-lost-count]' };
    await result('stock.quant', 'write', [[quant!.id], { inventory_quantity: quant!.quantity + 3, user_id: uid }], { context });
    await result('stock.quant', 'action_apply_inventory', [[quant!.id]], { context });
    const erp = createErpAdapter({ baseUrl: sandbox.url, ...ERP_SANDBOX_CREDENTIALS });
    try {
      const retried = await erp.adjustStock({ sku: item.sku, delta: 3, reason: 'recount', idempotencyKey: 'sb-lost-count' });
      expect(retried.onHand).toBe(quant!.quantity + 3);
      expect(await result('stock.move', 'search_count', [[['is_inventory', '=', true], ['product_id', '=', product]]])).toBe(1);
    } finally {
      await erp[Symbol.asyncDispose]();
    }
  });

  it('the adapter counts a product that was never in stock: stock.quant.create in inventory mode makes its quant', async () => {
    const product = await result<number>('product.product', 'create', [{ default_code: 'SB-NEW-1', name: 'Never stocked' }]);
    expect(await result('stock.quant', 'search_count', [[['product_id', '=', product]]])).toBe(0);
    const erp = createErpAdapter({ baseUrl: sandbox.url, ...ERP_SANDBOX_CREDENTIALS });
    try {
      expect((await erp.adjustStock({ sku: 'SB-NEW-1', delta: 5, reason: 'first count', idempotencyKey: 'sb-new-1' })).onHand).toBe(5);
      const quants = await result<{ location_id: [number, string]; quantity: number }[]>('stock.quant', 'search_read', [[['product_id', '=', product]]], { fields: ['location_id', 'quantity'] });
      expect(quants).toEqual([{ id: expect.any(Number), location_id: [8, 'WH/Stock'], quantity: 5 }]);
    } finally {
      await erp[Symbol.asyncDispose]();
    }
  });

  it('the adapter finds a partner whose create answer was lost by its ref, and makes no second one', async () => {
    const customer = { ...estate.customers[0]!, id: 'cus-lost-answer', email: 'lost.answer@example.com' };
    const made = await result<number>('res.partner', 'create', [{ name: customer.name, email: customer.email, ref: customer.id }]);
    const erp = createErpAdapter({ baseUrl: sandbox.url, ...ERP_SANDBOX_CREDENTIALS });
    try {
      expect((await erp.upsertPartner({ customer, idempotencyKey: 'sb-lost' })).erpId).toBe(made);
      expect(await result('res.partner', 'search_count', [[['ref', '=', customer.id]]])).toBe(1);
    } finally {
      await erp[Symbol.asyncDispose]();
    }
  });
});
