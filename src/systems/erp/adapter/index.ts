import { z, type ZodType } from 'zod';
import type { CallOptions, Erp, ErpOrder, ErpPartner, InventoryItem } from '../../../domain';
import { badResponse, type CallSite } from '../../kit/adapter';
import { createOdooClient } from './client';
import { rejected } from './errors';
import { orderVals, partnerVals, toErpOrder, toErpPartner, toInventoryItem } from './mapper';
import {
  createdIdSchema,
  idsSchema,
  ORDER_FIELDS,
  PARTNER_FIELDS,
  PRODUCT_FIELDS,
  partnerSchema,
  productCodeSchema,
  productSchema,
  saleOrderSchema,
  writeResultSchema,
} from './schema';

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
}

/** The shop module's stock actions on stock.quant (see the ERP sandbox). */
type StockAction = 'action_adjust_quantity' | 'action_reserve_quantity' | 'action_release_quantity';

interface Call<T> {
  readonly model: string;
  readonly method: string;
  readonly args: readonly unknown[];
  readonly schema: ZodType<T>;
  readonly kwargs?: Record<string, unknown>;
}

/**
 * The ERP adapter (Odoo 17, external JSON-RPC API). A batch read is one `search_read`; a write carries its
 * idempotency key in `context.idempotency_key`, which the ERP honours per model and method. An upsert looks the
 * record up by our id, then creates or writes it, then reads it back.
 */
export function createErpAdapter(options: ErpAdapterOptions): Erp & AsyncDisposable {
  const system = options.system ?? 'erp';
  const client = createOdooClient({ ...options, system });

  const run = <T>(operation: string, call: Call<T>, callOptions?: CallOptions): Promise<T> =>
    client.execute({ operation, ...call, signal: callOptions?.signal });
  const withKey = (idempotencyKey: string): Record<string, unknown> => ({ context: { idempotency_key: idempotencyKey } });
  const searchBy = (model: string, field: string, value: string): Call<number[]> => ({
    model,
    method: 'search',
    args: [[[field, '=', value]]],
    kwargs: { limit: 1 },
    schema: idsSchema,
  });

  /** Maps what came back; a value the domain cannot hold (an amount out of range) is a bad response. */
  const mapped = <T>(operation: string, map: () => T): T => {
    try {
      return map();
    } catch (error) {
      throw badResponse({ system, operation }, `answer could not be mapped: ${(error as Error).message}`, error);
    }
  };

  /** One search_read for the whole batch; the answer keyed by our id, holding only the keys asked for. */
  const batch = async <R, T>(
    operation: string,
    read: { model: string; keyField: string; fields: readonly string[]; schema: ZodType<R> },
    keys: readonly string[],
    map: (record: R) => T,
    keyOf: (value: T) => string,
    callOptions?: CallOptions,
  ): Promise<ReadonlyMap<string, T>> => {
    const wanted = new Set(keys);
    if (wanted.size === 0) return new Map();
    const records = await run(
      operation,
      {
        model: read.model,
        method: 'search_read',
        args: [[[read.keyField, 'in', [...wanted]]]],
        kwargs: { fields: read.fields },
        schema: z.array(read.schema),
      },
      callOptions,
    );
    const found = new Map<string, T>();
    for (const record of records) {
      const value = mapped(operation, () => map(record));
      if (wanted.has(keyOf(value))) found.set(keyOf(value), value);
    }
    return found;
  };

  const readOne = async <R, T>(
    operation: string,
    model: string,
    id: number,
    read: { fields: readonly string[]; schema: ZodType<R>; map: (record: R) => T },
    callOptions?: CallOptions,
  ): Promise<T> => {
    const call = { model, method: 'read', args: [[id], read.fields], schema: z.tuple([read.schema]) };
    const [record] = await run(operation, call, callOptions);
    return mapped(operation, () => read.map(record));
  };
  const readProduct = (operation: string, id: number, callOptions?: CallOptions): Promise<InventoryItem> =>
    readOne(operation, 'product.product', id, { fields: PRODUCT_FIELDS, schema: productSchema, map: toInventoryItem }, callOptions);
  const readPartner = (operation: string, id: number, callOptions?: CallOptions): Promise<ErpPartner> =>
    readOne(operation, 'res.partner', id, { fields: PARTNER_FIELDS, schema: partnerSchema, map: toErpPartner }, callOptions);
  const readOrder = (operation: string, id: number, callOptions?: CallOptions): Promise<ErpOrder> =>
    readOne(operation, 'sale.order', id, { fields: ORDER_FIELDS, schema: saleOrderSchema, map: toErpOrder }, callOptions);

  /** Finds the product, runs the stock action with the key, and answers the product as it now stands. */
  const stockAction = async (
    operation: string,
    action: StockAction,
    input: { sku: string; quantity: number; note: string; idempotencyKey: string },
    callOptions?: CallOptions,
  ): Promise<InventoryItem> => {
    const site: CallSite = { system, operation };
    if (!Number.isFinite(input.quantity)) throw rejected(site, `${input.quantity} is not a number of units`);
    const [productId] = await run(operation, searchBy('product.product', 'default_code', input.sku), callOptions);
    if (productId === undefined) throw rejected(site, `the ERP has no product with SKU ${JSON.stringify(input.sku)}`);
    const call = {
      model: 'stock.quant',
      method: action,
      args: [productId, input.quantity, input.note],
      kwargs: withKey(input.idempotencyKey),
      schema: z.record(z.string(), z.unknown()),
    };
    await run(operation, call, callOptions);
    return readProduct(operation, productId, callOptions);
  };

  /** Writes the record found by our id, or creates it; answers its id. */
  const createOrWrite = async (
    operation: string,
    model: string,
    existing: number | undefined,
    vals: Record<string, unknown>,
    idempotencyKey: string,
    callOptions?: CallOptions,
  ): Promise<number> => {
    const kwargs = withKey(idempotencyKey);
    if (existing === undefined) {
      return run(operation, { model, method: 'create', args: [vals], kwargs, schema: createdIdSchema }, callOptions);
    }
    await run(operation, { model, method: 'write', args: [[existing], vals], kwargs, schema: writeResultSchema }, callOptions);
    return existing;
  };

  const erp: Erp = {
    findItemsBySkus: (skus, callOptions) =>
      batch(
        'findItemsBySkus',
        { model: 'product.product', keyField: 'default_code', fields: PRODUCT_FIELDS, schema: productSchema },
        skus,
        toInventoryItem,
        (item) => item.sku,
        callOptions,
      ),

    findPartnersByCustomerIds: (customerIds, callOptions) =>
      batch(
        'findPartnersByCustomerIds',
        { model: 'res.partner', keyField: 'ref', fields: PARTNER_FIELDS, schema: partnerSchema },
        customerIds,
        toErpPartner,
        (partner) => partner.customerId,
        callOptions,
      ),

    findOrdersByOrderIds: (orderIds, callOptions) =>
      batch(
        'findOrdersByOrderIds',
        { model: 'sale.order', keyField: 'client_order_ref', fields: ORDER_FIELDS, schema: saleOrderSchema },
        orderIds,
        toErpOrder,
        (order) => order.orderId,
        callOptions,
      ),

    adjustStock: ({ sku, delta, reason, idempotencyKey }, callOptions) =>
      stockAction('adjustStock', 'action_adjust_quantity', { sku, quantity: delta, note: reason, idempotencyKey }, callOptions),

    reserveStock: ({ orderId, sku, quantity, idempotencyKey }, callOptions) =>
      stockAction('reserveStock', 'action_reserve_quantity', { sku, quantity, note: orderId, idempotencyKey }, callOptions),

    releaseStock: ({ orderId, sku, quantity, idempotencyKey }, callOptions) =>
      stockAction('releaseStock', 'action_release_quantity', { sku, quantity, note: orderId, idempotencyKey }, callOptions),

    async upsertPartner({ customer, idempotencyKey }, callOptions) {
      const operation = 'upsertPartner';
      const [existing] = await run(operation, searchBy('res.partner', 'ref', customer.id), callOptions);
      const vals = partnerVals(customer);
      const id = await createOrWrite(operation, 'res.partner', existing, vals, idempotencyKey, callOptions);
      return readPartner(operation, id, callOptions);
    },

    async upsertOrder({ order, idempotencyKey }, callOptions) {
      const operation = 'upsertOrder';
      const site: CallSite = { system, operation };
      const skus = [...new Set(order.lines.map((line) => line.sku))];
      const productsCall = {
        model: 'product.product',
        method: 'search_read',
        args: [[['default_code', 'in', skus]]],
        kwargs: { fields: ['default_code'] },
        schema: z.array(productCodeSchema),
      };
      const [[existing], [partnerId], products] = await Promise.all([
        run(operation, searchBy('sale.order', 'client_order_ref', order.id), callOptions),
        run(operation, searchBy('res.partner', 'ref', order.customerId), callOptions),
        skus.length === 0 ? Promise.resolve([]) : run(operation, productsCall, callOptions),
      ]);
      if (partnerId === undefined) {
        const customer = JSON.stringify(order.customerId);
        throw rejected(site, `the ERP has no partner for customer ${customer}: sync the customer first`);
      }
      const productIds = new Map<string, number>();
      for (const product of products) if (product.default_code) productIds.set(product.default_code, product.id);
      const unknown = skus.filter((sku) => !productIds.has(sku));
      if (unknown.length > 0) {
        throw rejected(site, `the ERP has no product with SKU ${unknown.map((sku) => JSON.stringify(sku)).join(', ')}`);
      }
      const vals = orderVals(order, partnerId, productIds, existing !== undefined);
      const id = await createOrWrite(operation, 'sale.order', existing, vals, idempotencyKey, callOptions);
      return readOrder(operation, id, callOptions);
    },
  };

  return { ...erp, [Symbol.asyncDispose]: () => client.close() };
}
