import { z, type ZodType } from 'zod';
import type { CallOptions, Erp, ErpOrder, ErpPartner } from '../../../domain';
import type { CallSite } from '../../kit/adapter';
import { createOdooCalls } from './calls';
import { createOdooClient } from './client';
import { rejected } from './errors';
import { lineCommands, orderHeader, partnerVals, toErpOrder, toErpPartner, toInventoryItem } from './mapper';
import {
  createdIdSchema,
  LINE_FIELDS,
  ORDER_FIELDS,
  orderLineSchema,
  PARTNER_FIELDS,
  PRODUCT_FIELDS,
  partnerSchema,
  productCodeSchema,
  productSchema,
  saleOrderSchema,
  ORDER_SPECIFICATION,
  webOrdersSchema,
  writeResultSchema,
} from './schema';
import { createOrderFlow } from './order-flow';
import { createStockFlows } from './stock';

const STANDING_FIELDS = ['state', 'locked', 'delivery_status', 'order_line'];
const standingSchema = saleOrderSchema.pick({ id: true, state: true, locked: true, delivery_status: true }).extend({ order_line: z.array(z.number().int()) });

/** Where the ERP is and how to log in to it (Odoo's external API: database, login and the user's API key). */
export interface ErpAdapterOptions {
  /** Base URL of the Odoo server; the adapter posts to `<baseUrl>/jsonrpc`. */
  readonly baseUrl: string;
  /** The Odoo database. */
  readonly db: string;
  /** The API user's login. */
  readonly login: string;
  /** The API user's API key (Odoo takes it in place of the password). */
  readonly apiKey: string;
  /** The system's name in the integration map, for errors. @default 'erp' */
  readonly system?: string;
  /** Largest answer accepted, in bytes (the integration map's maxResponseBytes). @default 5 MiB */
  readonly maxResponseBytes?: number;
  /** The stock location's full name in Odoo, where stock is counted. @default 'WH/Stock' */
  readonly stockLocation?: string;
}

/**
 * The ERP adapter: stock Odoo 17 over its external JSON-RPC API, with standard models and methods only (no custom
 * module). A batch read is one call: `search_read`, or for orders `web_search_read`, which brings each order's partner's
 * `ref` along. Odoo has no
 * idempotency key, so every write is found again by our id in a standard field before it is made: a partner by
 * `ref`, an order by `client_order_ref`, stock moves by origin or name (see ./stock.ts). A create whose answer was
 * lost is therefore found, not made twice, when it is retried. Orders move only through Odoo's actions
 * (see ./order-flow.ts), never by writing `state`.
 */
export function createErpAdapter(options: ErpAdapterOptions): Erp & AsyncDisposable {
  const system = options.system ?? 'erp';
  const client = createOdooClient({ ...options, system });
  const calls = createOdooCalls(system, client);
  const { run, mapped } = calls;
  const stock = createStockFlows(calls, options.stockLocation ? { stockLocation: options.stockLocation } : {});

  /** One search_read for the whole batch. */
  const searchIn = <R>(operation: string, model: string, field: string, keys: readonly string[], fields: readonly string[], schema: ZodType<R>, callOptions?: CallOptions): Promise<R[]> =>
    run(operation, { model, method: 'search_read', args: [[[field, 'in', [...keys]]]], kwargs: { fields }, schema: z.array(schema) }, callOptions);
  const keyed = <T>(wanted: ReadonlySet<string>, values: readonly T[], keyOf: (value: T) => string): Map<string, T> =>
    new Map(values.filter((value) => wanted.has(keyOf(value))).map((value) => [keyOf(value), value]));

  const readOrder = async (operation: string, id: number, customerRef: string, callOptions?: CallOptions): Promise<ErpOrder> => {
    const [record] = await run(operation, { model: 'sale.order', method: 'read', args: [[id], ORDER_FIELDS], schema: z.tuple([saleOrderSchema]) }, callOptions);
    return mapped(operation, () => toErpOrder(record, customerRef));
  };
  const orders = createOrderFlow(calls, stock.releaseOrder);

  const erp: Erp = {
    async findItemsBySkus(skus, callOptions) {
      const wanted = new Set(skus);
      if (wanted.size === 0) return new Map();
      const records = await searchIn('findItemsBySkus', 'product.product', 'default_code', [...wanted], PRODUCT_FIELDS, productSchema, callOptions);
      return keyed(wanted, records.map((record) => mapped('findItemsBySkus', () => toInventoryItem(record))), (item) => item.sku);
    },

    async findPartnersByCustomerIds(customerIds, callOptions) {
      const wanted = new Set(customerIds);
      if (wanted.size === 0) return new Map();
      const records = await searchIn('findPartnersByCustomerIds', 'res.partner', 'ref', [...wanted], PARTNER_FIELDS, partnerSchema, callOptions);
      return keyed(wanted, records.map((record) => mapped('findPartnersByCustomerIds', () => toErpPartner(record))), (partner) => partner.customerId);
    },

    async findOrdersByOrderIds(orderIds, callOptions) {
      const wanted = new Set(orderIds);
      if (wanted.size === 0) return new Map();
      // One web_search_read: the orders with their partners' refs (a plain search_read gives the partner as a pair).
      const operation = 'findOrdersByOrderIds';
      const call = { model: 'sale.order', method: 'web_search_read', args: [[['client_order_ref', 'in', [...wanted]]], ORDER_SPECIFICATION], schema: webOrdersSchema };
      const { records } = await run(operation, call, callOptions);
      const orders = records.map((order) =>
        mapped(operation, () => toErpOrder({ ...order, partner_id: order.partner_id === false ? false : [order.partner_id.id, ''] }, order.partner_id === false ? false : order.partner_id.ref)),
      );
      return keyed(wanted, orders, (order) => order.orderId);
    },

    adjustStock: (input, callOptions) => stock.adjustStock(input, callOptions),
    reserveStock: (input, callOptions) => stock.reserveStock(input, callOptions),
    releaseStock: (input, callOptions) => stock.releaseStock(input, callOptions),

    async upsertPartner({ customer }, callOptions) {
      const operation = 'upsertPartner';
      const existing = await calls.idOf(operation, 'res.partner', 'ref', customer.id, callOptions);
      const vals = partnerVals(customer);
      const id = existing ?? (await run(operation, { model: 'res.partner', method: 'create', args: [vals], schema: createdIdSchema }, callOptions));
      if (existing !== undefined) {
        await run(operation, { model: 'res.partner', method: 'write', args: [[existing], vals], schema: writeResultSchema }, callOptions);
      }
      const [record] = await run(operation, { model: 'res.partner', method: 'read', args: [[id], PARTNER_FIELDS], schema: z.tuple([partnerSchema]) }, callOptions);
      return mapped(operation, (): ErpPartner => toErpPartner(record));
    },

    async upsertOrder({ order }, callOptions) {
      const operation = 'upsertOrder';
      const site: CallSite = { system, operation };
      const skus = [...new Set(order.lines.map((line) => line.sku))];
      const productsCall = { model: 'product.product', method: 'search_read', args: [[['default_code', 'in', skus]]], kwargs: { fields: ['default_code'] }, schema: z.array(productCodeSchema) };
      const stateCall = { model: 'sale.order', method: 'search_read', args: [[['client_order_ref', '=', order.id]]], kwargs: { fields: STANDING_FIELDS, limit: 1 }, schema: z.array(standingSchema) };
      const [[existing], partnerId, products] = await Promise.all([
        run(operation, stateCall, callOptions),
        calls.idOf(operation, 'res.partner', 'ref', order.customerId, callOptions),
        skus.length === 0 ? Promise.resolve([]) : run(operation, productsCall, callOptions),
      ]);
      if (partnerId === undefined) throw rejected(site, `the ERP has no partner for customer ${JSON.stringify(order.customerId)}: sync the customer first`);
      const productIds = new Map<string, number>();
      for (const product of products) if (product.default_code) productIds.set(product.default_code, product.id);
      const unknown = skus.filter((sku) => !productIds.has(sku));
      if (unknown.length > 0) throw rejected(site, `the ERP has no product with SKU ${unknown.map((sku) => JSON.stringify(sku)).join(', ')}`);

      const header = orderHeader(order, partnerId);
      let id: number;
      if (!existing) {
        const vals = { ...header, order_line: lineCommands(order, productIds, [], false) };
        id = await run(operation, { model: 'sale.order', method: 'create', args: [vals], schema: createdIdSchema }, callOptions);
        await orders.settle(operation, { id, state: 'draft', locked: false, delivery_status: false }, order.id, order.status, callOptions);
      } else {
        id = existing.id;
        const standing = { id, state: existing.state, locked: existing.locked, delivery_status: existing.delivery_status };
        await orders.reopen(operation, standing, order.status, callOptions);
        const lines = existing.order_line.length === 0 ? [] : await run(operation, { model: 'sale.order.line', method: 'read', args: [existing.order_line, LINE_FIELDS], schema: z.array(orderLineSchema) }, callOptions);
        const commands = standing.state === 'cancel' ? [] : lineCommands(order, productIds, lines, standing.state === 'sale');
        await run(operation, { model: 'sale.order', method: 'write', args: [[id], { ...header, ...(commands.length > 0 ? { order_line: commands } : {}) }], schema: writeResultSchema }, callOptions);
        await orders.settle(operation, standing, order.id, order.status, callOptions);
      }
      return readOrder(operation, id, order.customerId, callOptions);
    },
  };

  return { ...erp, [Symbol.asyncDispose]: () => client.close() };
}
