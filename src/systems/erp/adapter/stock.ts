import { z } from 'zod';
import type { CallOptions, InventoryItem } from '../../../domain';
import type { CallSite } from '../../kit/adapter';
import type { OdooCalls } from './calls';
import { rejected } from './errors';
import { createdIdSchema, idsSchema, methodResultSchema, moveSchema, namedMoveSchema, pickingTypeSchema, quantSchema } from './schema';

/**
 * Stock through stock Odoo 17's own flows. Internal to the ERP adapter.
 *
 * - Adjusting: inventory mode on the product's quant at the stock location (`addons/stock/models/stock_quant.py`):
 *   `inventory_quantity` = on hand + delta, then `action_apply_inventory`, with context `inventory_name` naming the
 *   inventory move after the idempotency key. Odoo has no idempotency key: a retry first looks for that move
 *   (`stock.move` with `is_inventory` and that name, or that name and " (<user>)" which Odoo adds when the quant is
 *   assigned to a user) and applies nothing when it exists. Odoo counts, it does not add:
 *   between our read of the quantity and the apply, another change is caught by Odoo's conflict check
 *   (`stock.inventory.conflict`), which we report as a refusal to retry. A product never in stock there has no quant
 *   yet: `stock.quant.create` in inventory mode with product, location and count makes it (`stock_quant.py: create`).
 * - Reserving (placeOrder, before the order reaches the ERP): an outgoing picking whose origin is our order id, with
 *   one move for the SKU, confirmed and assigned (`stock_picking.py: action_confirm, action_assign`). The picking and
 *   its move carry the Delivery Orders type's default source and destination: in Odoo 17 a move's locations are
 *   required and not taken from its picking at create (`stock_move.py`, `stock_picking.py: create`). What Odoo
 *   could not reserve is given back (`action_cancel`) and the reservation refused. A retry finds the open move by
 *   origin and product and reserves nothing more.
 * - Releasing (the saga's compensation): `action_cancel` on the order's open reservation pickings for that SKU, which
 *   frees all they held (Odoo releases a picking, not a number of units). When the order itself is confirmed in the
 *   ERP (`upsertOrder`), its own delivery takes over and these pickings are cancelled; cancelling the order
 *   (`sale.order.action_cancel`) releases its delivery.
 */
export interface StockOptions {
  /** The stock location's full name in Odoo, where stock is counted. @default 'WH/Stock' */
  readonly stockLocation?: string;
}

const MOVE_FIELDS = ['picking_id', 'product_uom_qty', 'quantity'];

interface OutgoingType {
  readonly id: number;
  /** Where its deliveries leave from, and go to. */
  readonly source: number;
  readonly destination: number;
}
const OPEN_MOVE = ['state', 'not in', ['cancel', 'done']];

export function createStockFlows(calls: OdooCalls, options: StockOptions = {}) {
  const { system, run } = calls;
  const location = options.stockLocation ?? 'WH/Stock';
  let outgoingType: Promise<OutgoingType> | null = null;

  const productOf = async (operation: string, sku: string, callOptions?: CallOptions): Promise<number> => {
    const id = await calls.idOf(operation, 'product.product', 'default_code', sku, callOptions);
    if (id === undefined) throw rejected({ system, operation }, `the ERP has no product with SKU ${JSON.stringify(sku)}`);
    return id;
  };
  const openMoves = (operation: string, orderId: string, productId: number, callOptions?: CallOptions) =>
    run(
      operation,
      {
        model: 'stock.move',
        method: 'search_read',
        args: [[['origin', '=', orderId], ['product_id', '=', productId], OPEN_MOVE]],
        kwargs: { fields: MOVE_FIELDS },
        schema: z.array(moveSchema),
      },
      callOptions,
    );
  const onPickings = (operation: string, method: string, ids: readonly number[], callOptions?: CallOptions) =>
    run(operation, { model: 'stock.picking', method, args: [ids], schema: methodResultSchema }, callOptions);
  const pickingsOf = (moves: readonly z.infer<typeof moveSchema>[]): number[] => [
    ...new Set(moves.flatMap((move) => (move.picking_id === false ? [] : [move.picking_id[0]]))),
  ];
  let stockLocation: Promise<number> | null = null;
  /** The id of the location stock is counted at (`stockLocation`, by its full name). */
  const stockLocationId = (operation: string, callOptions?: CallOptions): Promise<number> => {
    stockLocation ??= run(
      operation,
      { model: 'stock.location', method: 'search', args: [[['complete_name', '=', location]]], kwargs: { limit: 1 }, schema: idsSchema },
      callOptions,
    ).then(([id]) => {
      if (id === undefined) throw rejected({ system, operation }, `the ERP has no location named ${JSON.stringify(location)} (ERP stockLocation)`);
      return id;
    });
    stockLocation.catch(() => (stockLocation = null));
    return stockLocation;
  };

  /** The outgoing operation type with its source and destination (a customer location when the type names none). */
  const deliveryType = (operation: string, callOptions?: CallOptions): Promise<OutgoingType> => {
    outgoingType ??= (async () => {
      const [type] = await run(
        operation,
        {
          model: 'stock.picking.type',
          method: 'search_read',
          args: [[['code', '=', 'outgoing']]],
          kwargs: { fields: ['default_location_src_id', 'default_location_dest_id'], limit: 1 },
          schema: z.array(pickingTypeSchema),
        },
        callOptions,
      );
      if (!type) throw rejected({ system, operation }, 'the ERP has no outgoing operation type (Delivery Orders)');
      if (type.default_location_src_id === false) {
        throw rejected({ system, operation }, 'the ERP\'s Delivery Orders operation type has no default source location');
      }
      let destination = type.default_location_dest_id === false ? undefined : type.default_location_dest_id[0];
      if (destination === undefined) {
        [destination] = await run(
          operation,
          { model: 'stock.location', method: 'search', args: [[['usage', '=', 'customer']]], kwargs: { limit: 1 }, schema: idsSchema },
          callOptions,
        );
      }
      if (destination === undefined) throw rejected({ system, operation }, 'the ERP has no customer location to deliver to');
      return { id: type.id, source: type.default_location_src_id[0], destination };
    })();
    outgoingType.catch(() => (outgoingType = null));
    return outgoingType;
  };

  // Odoo counts, it does not add: adjustments of one SKU read-then-set in turn, never interleaved (in this process;
  // see docs/estate.md for several processes).
  const counting = new Map<string, Promise<unknown>>();
  const inTurn = <T>(sku: string, work: () => Promise<T>): Promise<T> => {
    const turn = (counting.get(sku) ?? Promise.resolve()).then(work);
    const settled = turn.catch(() => undefined);
    counting.set(sku, settled);
    void settled.then(() => {
      if (counting.get(sku) === settled) counting.delete(sku);
    });
    return turn;
  };

  const flows = {
    adjustStock: (input: { sku: string; delta: number; reason: string; idempotencyKey: string }, callOptions?: CallOptions): Promise<InventoryItem> =>
      inTurn(input.sku, () => flows.countStock(input, callOptions)),

    async countStock(input: { sku: string; delta: number; reason: string; idempotencyKey: string }, callOptions?: CallOptions): Promise<InventoryItem> {
      const operation = 'adjustStock';
      const site: CallSite = { system, operation };
      if (!Number.isFinite(input.delta)) throw rejected(site, `${input.delta} is not a number of units`);
      const productId = await productOf(operation, input.sku, callOptions);
      const name = `Plugboard: ${input.reason} [${input.idempotencyKey}]`;
      // Odoo names the move after `inventory_name`, plus " (<user>)" when the quant is assigned to someone
      // (`stock_quant.py: _get_inventory_move_values`): matched by prefix, then exactly (`_` and `%` are wildcards).
      const named = await run(
        operation,
        {
          model: 'stock.move',
          method: 'search_read',
          args: [[['name', '=like', `${name}%`], ['is_inventory', '=', true], ['product_id', '=', productId]]],
          kwargs: { fields: ['name'] },
          schema: z.array(namedMoveSchema),
        },
        callOptions,
      );
      if (named.some((move) => move.name === name || move.name.startsWith(`${name} (`))) {
        return calls.readProduct(operation, productId, callOptions);
      }
      const [quant] = await run(
        operation,
        {
          model: 'stock.quant',
          method: 'search_read',
          args: [[['product_id', '=', productId], ['location_id', '=', location]]],
          kwargs: { fields: ['quantity'], limit: 1 },
          schema: z.array(quantSchema),
        },
        callOptions,
      );
      const onHand = quant?.quantity ?? 0;
      const counted = onHand + input.delta;
      if (counted < 0) throw rejected(site, `cannot take ${-input.delta} units of ${input.sku} out of stock: only ${onHand} on hand`);
      const context = { inventory_mode: true, inventory_name: name };
      // A product never in stock at the location has no quant: in inventory mode, create makes it with its count.
      let quantId: number;
      if (quant) {
        await run(operation, { model: 'stock.quant', method: 'write', args: [[quant.id], { inventory_quantity: counted }], kwargs: { context }, schema: z.literal(true) }, callOptions);
        quantId = quant.id;
      } else {
        const vals = { product_id: productId, location_id: await stockLocationId(operation, callOptions), inventory_quantity: counted };
        quantId = await run(operation, { model: 'stock.quant', method: 'create', args: [vals], kwargs: { context }, schema: createdIdSchema }, callOptions);
      }
      const applied = await run(operation, { model: 'stock.quant', method: 'action_apply_inventory', args: [[quantId]], kwargs: { context }, schema: methodResultSchema }, callOptions);
      if (applied !== undefined && applied !== true) {
        throw rejected(site, `the ERP did not apply the count of ${input.sku}: it asks for ${applied.res_model} (stock moved meanwhile); retry`);
      }
      return calls.readProduct(operation, productId, callOptions);
    },

    async reserveStock(input: { orderId: string; sku: string; quantity: number }, callOptions?: CallOptions): Promise<InventoryItem> {
      const operation = 'reserveStock';
      const site: CallSite = { system, operation };
      if (!(input.quantity > 0)) throw rejected(site, `${input.quantity} is not a number of units to reserve`);
      const productId = await productOf(operation, input.sku, callOptions);
      if ((await openMoves(operation, input.orderId, productId, callOptions)).length > 0) {
        return calls.readProduct(operation, productId, callOptions);
      }
      const type = await deliveryType(operation, callOptions);
      const locations = { location_id: type.source, location_dest_id: type.destination };
      const vals = {
        picking_type_id: type.id,
        origin: input.orderId,
        ...locations,
        move_ids: [[0, 0, { name: `${input.orderId} ${input.sku}`, origin: input.orderId, product_id: productId, product_uom_qty: input.quantity, ...locations }]],
      };
      const pickingId = await run(operation, { model: 'stock.picking', method: 'create', args: [vals], schema: z.number().int().positive() }, callOptions);
      await onPickings(operation, 'action_confirm', [pickingId], callOptions);
      await onPickings(operation, 'action_assign', [pickingId], callOptions);
      const moves = await openMoves(operation, input.orderId, productId, callOptions);
      const reserved = moves.reduce((sum, move) => sum + move.quantity, 0);
      if (reserved < input.quantity) {
        await onPickings(operation, 'action_cancel', [pickingId], callOptions);
        throw rejected(site, `not enough stock of ${input.sku} to reserve ${input.quantity} for ${input.orderId}: ${reserved} available`);
      }
      return calls.readProduct(operation, productId, callOptions);
    },

    async releaseStock(input: { orderId: string; sku: string }, callOptions?: CallOptions): Promise<InventoryItem> {
      const operation = 'releaseStock';
      const productId = await productOf(operation, input.sku, callOptions);
      const pickings = pickingsOf(await openMoves(operation, input.orderId, productId, callOptions));
      if (pickings.length > 0) await onPickings(operation, 'action_cancel', pickings, callOptions);
      return calls.readProduct(operation, productId, callOptions);
    },

    /** Cancels every open reservation picking of an order (its confirmed sale order now holds the stock). */
    async releaseOrder(operation: string, orderId: string, callOptions?: CallOptions): Promise<void> {
      const moves = await run(
        operation,
        { model: 'stock.move', method: 'search_read', args: [[['origin', '=', orderId], OPEN_MOVE]], kwargs: { fields: MOVE_FIELDS }, schema: z.array(moveSchema) },
        callOptions,
      );
      const pickings = pickingsOf(moves);
      if (pickings.length > 0) await onPickings(operation, 'action_cancel', pickings, callOptions);
    },
  };
  return flows;
}
