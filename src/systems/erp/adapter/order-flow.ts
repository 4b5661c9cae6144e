import { z } from 'zod';
import type { CallOptions, OrderStatus } from '../../../domain';
import type { OdooCalls } from './calls';
import { rejected } from './errors';
import { idsSchema, methodResultSchema, type OdooSaleOrder } from './schema';

/** Where an order stands in Odoo, as far as moving it goes. */
export interface OrderStanding {
  readonly id: number;
  state: OdooSaleOrder['state'];
  locked: boolean;
  delivery_status: OdooSaleOrder['delivery_status'];
}

/**
 * Moves a sale.order to our status through Odoo 17's own actions (`addons/sale/models/sale_order.py`,
 * `addons/stock/models/stock_picking.py`), never by writing `state`. Internal to the ERP adapter.
 *
 * | ours      | Odoo                                                                                    |
 * |-----------|-----------------------------------------------------------------------------------------|
 * | PENDING   | a quotation: a confirmed order is cancelled, then `action_draft`                        |
 * | CONFIRMED | `action_confirm` (Odoo makes the delivery and reserves it)                              |
 * | SHIPPED   | confirmed, and its open deliveries validated (`button_validate`): the goods left        |
 * | DELIVERED | as SHIPPED, then `action_lock` (Odoo 17's `locked`, once the 'done' state: closed)      |
 * | CANCELLED | `action_cancel` with context `disable_cancel_warning` (else Odoo answers its wizard)    |
 *
 * A locked order is unlocked before it is cancelled or reopened. What Odoo cannot undo stays: a delivery that was
 * validated is not taken back by moving the order back to CONFIRMED (that is a return, made in the ERP).
 */
export function createOrderFlow(calls: OdooCalls, releaseReservations: (operation: string, orderId: string, callOptions?: CallOptions) => Promise<void>) {
  const { system, run } = calls;
  const act = (operation: string, method: string, id: number, callOptions?: CallOptions, context?: Record<string, unknown>) =>
    run(operation, { model: 'sale.order', method, args: [[id]], schema: methodResultSchema, ...(context ? { kwargs: { context } } : {}) }, callOptions);
  const wizardRefused = (operation: string, what: string, answer: z.infer<typeof methodResultSchema>): void => {
    if (answer !== true && answer !== undefined) throw rejected({ system, operation }, `the ERP did not ${what}: it asks for ${answer.res_model}`);
  };

  const unlock = async (operation: string, order: OrderStanding, callOptions?: CallOptions): Promise<void> => {
    if (!order.locked) return;
    await act(operation, 'action_unlock', order.id, callOptions);
    order.locked = false;
  };
  const cancel = async (operation: string, order: OrderStanding, callOptions?: CallOptions): Promise<void> => {
    if (order.state === 'cancel') return;
    await unlock(operation, order, callOptions);
    wizardRefused(operation, 'cancel the order', await act(operation, 'action_cancel', order.id, callOptions, { disable_cancel_warning: true }));
    order.state = 'cancel';
  };
  const confirm = async (operation: string, order: OrderStanding, orderId: string, callOptions?: CallOptions): Promise<void> => {
    if (order.state === 'cancel') await act(operation, 'action_draft', order.id, callOptions);
    if (order.state === 'sale') return;
    // The order's own delivery takes over the stock reserved for it while it was placed.
    await releaseReservations(operation, orderId, callOptions);
    await act(operation, 'action_confirm', order.id, callOptions);
    order.state = 'sale';
  };
  const ship = async (operation: string, order: OrderStanding, callOptions?: CallOptions): Promise<void> => {
    if (order.delivery_status === 'full') return;
    const open = await run(
      operation,
      { model: 'stock.picking', method: 'search', args: [[['sale_id', '=', order.id], ['state', 'not in', ['done', 'cancel']]]], schema: idsSchema },
      callOptions,
    );
    if (open.length === 0) return;
    wizardRefused(operation, 'validate the delivery (not all of it is reserved)', await run(operation, { model: 'stock.picking', method: 'button_validate', args: [open], schema: methodResultSchema }, callOptions));
  };

  /** Makes the order stand at `status`. `open` says whether lines may still be written (the order is not cancelled). */
  return {
    /** Before the lines are written: an order coming back from cancel (or to a quotation) is reopened first. */
    async reopen(operation: string, order: OrderStanding, status: OrderStatus, callOptions?: CallOptions): Promise<void> {
      if (status === 'PENDING' && order.state === 'sale') await cancel(operation, order, callOptions);
      if (status !== 'CANCELLED' && order.state === 'cancel') {
        await act(operation, 'action_draft', order.id, callOptions);
        order.state = 'draft';
      }
    },
    /** After the lines are written: the actions that bring the order to `status`. */
    async settle(operation: string, order: OrderStanding, orderId: string, status: OrderStatus, callOptions?: CallOptions): Promise<void> {
      switch (status) {
        case 'PENDING':
          return;
        case 'CANCELLED':
          return cancel(operation, order, callOptions);
        case 'CONFIRMED':
          await confirm(operation, order, orderId, callOptions);
          return unlock(operation, order, callOptions);
        case 'SHIPPED':
          await confirm(operation, order, orderId, callOptions);
          await unlock(operation, order, callOptions);
          return ship(operation, order, callOptions);
        case 'DELIVERED':
          await confirm(operation, order, orderId, callOptions);
          await ship(operation, order, callOptions);
          if (!order.locked) await act(operation, 'action_lock', order.id, callOptions);
          return;
      }
    },
  };
}
