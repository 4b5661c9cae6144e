import { createHash, randomUUID } from 'node:crypto';
import { isIntegrationError, money, sumMoney, type Order, type PaymentStatus, type PostalAddress, type Shipment, type ShipmentRequest } from '../domain';
import { parcelsFor } from './parcels';
import type { Receipts } from './receipts';
import { outcomeUnknown, Saga, WriteRejection } from './saga';
import type { Actor, AuditRequest, JobRequest, Receipt } from './types';
import { parseInput, placeOrderInput } from './validate';
import { orderFollowers, type WriteServiceDeps } from './write-service';

/**
 * Places an order across systems: reserve stock at the ERP, take the payment, book the courier(s); when a later
 * step fails, the completed ones are undone (stock released, payment cancelled, shipments cancelled). Every call to a
 * system carries a key made from the order's idempotency key, so running it again (a retry, or the sweep that finishes
 * it after its process died) takes no step twice.
 *
 * The order ships to `shipTo`, or else to the customer's address on file; the couriers get it with the parcels the
 * lines weigh. With a payment method the payment is confirmed at once; without one it is created and waits for the
 * client (REQUIRES_PAYMENT_METHOD, completed with its client secret). A payment that needs the client's action (3-D
 * Secure: REQUIRES_ACTION) is not a failure either: the order is placed and the payment waits.
 *
 * A courier's label is bought and paid for when the shipment is booked, so an order whose payment waits books no
 * courier: its bookings are kept in the audit row (`after.shipmentsAwaitingPayment`) and the payment gateway's webhook
 * queues them in the outbox once the payment is authorised or captured (src/systems/payments/webhook-settlement.ts).
 */
export function placeOrderWith(deps: WriteServiceDeps, receipts: Receipts, now: () => Date) {
  const { receiptOf, reject, shadowJobs, enqueueAll } = receipts;
  return async (input: unknown, actor: Actor, idempotencyKey: string): Promise<Receipt> => {
    const request = parseInput(placeOrderInput, input);
    // The order id follows from the key: two racing copies of one request cannot make two orders.
    const orderId = `ord-${createHash('sha256').update(`placeOrder:${actor.subject}:${idempotencyKey}`).digest('hex').slice(0, 16)}`;
    const owner = deps.matrix.ownerOf('Order', 'status');
    const base = { id: randomUUID(), actor: actor.subject, operation: 'placeOrder', entity: 'Order', entityId: orderId, input: request, owner, before: null, idempotencyKey };
    const saga = new Saga();
    /** An undo left to the outbox, under this operation's audit id. */
    const undoJob = (system: string, operation: string, payload: Record<string, unknown>, what: string): JobRequest => ({
      system,
      operation,
      entity: 'Order',
      entityId: orderId,
      payload,
      idempotencyKey: `${base.id}:undo:${what}`,
    });
    try {
      const customer = await deps.unit.transaction((tx) => tx.getCustomer(request.customerId));
      if (!customer) throw new WriteRejection('NOT_FOUND', `no customer ${request.customerId}`);
      const shipTo: PostalAddress | null | undefined = request.shipTo ?? customer.address;
      if (!shipTo) throw new WriteRejection('BAD_USER_INPUT', `input.shipTo: customer ${customer.id} has no address on file; give the address to ship to`);
      const items = await deps.erp.findItemsBySkus(request.lines.map((line) => line.sku));
      const unknown = request.lines.filter((line) => !items.has(line.sku)).map((line) => line.sku);
      if (unknown.length) throw new WriteRejection('BAD_USER_INPUT', `unknown SKU ${unknown.join(', ')}`);
      const lines = request.lines.map((line) => ({ sku: line.sku, quantity: line.quantity, unitPrice: items.get(line.sku)!.price }));
      const currency = lines[0]!.unitPrice.currency;
      const placedAt = now();
      const order: Order = {
        id: orderId,
        number: `WEB-${placedAt.getUTCFullYear()}-${orderId.slice(4, 12).toUpperCase()}`,
        customerId: customer.id,
        status: 'CONFIRMED',
        placedAt,
        updatedAt: placedAt,
        lines,
        total: sumMoney(lines.map((line) => money(line.unitPrice.minor * line.quantity, line.unitPrice.currency)), currency),
      };

      for (const line of lines) {
        await saga.do({
          step: `reserve ${line.quantity} × ${line.sku}`,
          system: 'erp',
          run: () => deps.erp.reserveStock({ orderId, sku: line.sku, quantity: line.quantity, idempotencyKey: `${idempotencyKey}:reserve:${line.sku}` }),
          compensate: () => deps.erp.releaseStock({ orderId, sku: line.sku, quantity: line.quantity, idempotencyKey: `${idempotencyKey}:release:${line.sku}` }),
          compensateLater: () => undoJob('erp', 'releaseStock', { orderId, sku: line.sku, quantity: line.quantity }, line.sku),
        });
      }
      const payment = await saga.do({
        step: `take payment of ${order.total.minor} ${order.total.currency} minor units`,
        system: 'payments',
        run: async () => {
          const created = await deps.payments.createPayment({
            orderId,
            customerId: customer.id,
            amount: order.total,
            idempotencyKey: `${idempotencyKey}:payment`,
            paymentMethod: request.paymentMethod ?? null,
            customer: { id: customer.id, email: customer.email, name: customer.name, gatewayCustomerId: customer.gatewayCustomerId ?? null },
          });
          // Without a payment method there is nothing to confirm: the client completes the payment with its secret.
          if (!request.paymentMethod) return created;
          return deps.payments.confirmPayment({ paymentId: created.id, idempotencyKey: `${idempotencyKey}:confirm` });
        },
        compensate: (taken) => deps.payments.cancelPayment({ paymentId: taken.id, idempotencyKey: `${idempotencyKey}:cancel-payment` }).catch(async (error: unknown) => {
          // A captured payment cannot be cancelled: it is refunded instead.
          if (isIntegrationError(error) && error.code === 'UPSTREAM_REJECTED') {
            return deps.payments.refundPayment({ paymentId: taken.id, idempotencyKey: `${idempotencyKey}:refund` });
          }
          throw error;
        }),
        compensateLater: () => undoJob('payments', 'voidForOrder', { orderId }, 'payment'),
        // An intent may exist though the answer was lost, or was created and then not confirmed: the clean-up
        // cancels whatever the payment gateway holds for the order (nothing, when it holds nothing).
        cleanUpAfter: { when: (error) => !(isIntegrationError(error) && error.code === 'CIRCUIT_OPEN'), job: () => undoJob('payments', 'voidForOrder', { orderId }, 'payment') },
      });
      const packages = parcelsFor(request.lines, items);
      const shipments: Shipment[] = [];
      const shipmentsAwaitingPayment: AwaitingBooking[] = [];
      for (const carrier of deps.courierRule(order)) {
        const courier = deps.couriers.find((candidate) => candidate.carrier === carrier);
        if (!courier) throw new WriteRejection('BAD_USER_INPUT', `the courier rule names ${carrier}, which is not in the estate`);
        const booking: ShipmentRequest = {
          orderId,
          recipient: { name: shipTo.name, phone: shipTo.phone ?? customer.phone },
          parcels: packages.length,
          packages,
          shipTo,
          idempotencyKey: `${idempotencyKey}:ship:${carrier}`,
        };
        if (!PAID.has(payment.status)) {
          shipmentsAwaitingPayment.push({ carrier, request: booking });
          saga.wait(`book a shipment with ${carrier}`, carrier, `the payment is ${payment.status}: booked once the payment gateway says it is authorised`);
          continue;
        }
        shipments.push(
          await saga.do({
            step: `book a shipment with ${carrier}`,
            system: carrier,
            run: () => courier.bookShipment(booking),
            compensate: (shipment) => courier.cancelShipment({ shipmentId: shipment.id, idempotencyKey: `${idempotencyKey}:cancel-ship:${carrier}` }),
            compensateLater: (shipment) => undoJob(carrier, 'cancelShipment', { shipmentId: shipment.id, orderId }, carrier),
            cleanUpAfter: { when: outcomeUnknown, job: () => undoJob(carrier, 'cancelForOrder', { orderId }, `${carrier}-booking`) },
          }),
        );
      }

      const receipt = await deps.unit
        .transaction(async (tx) => {
          await tx.insertOrder(order);
          // The gateway's customer, kept so that the next payment is made under it without looking it up.
          if (payment.gatewayCustomerId && !customer.gatewayCustomerId) await tx.keepGatewayCustomerId(customer.id, payment.gatewayCustomerId);
          const after = { order, payment, shipments, ...(shipmentsAwaitingPayment.length ? { shipmentsAwaitingPayment } : {}) };
          const audit: AuditRequest = { ...base, after, result: 'APPLIED', errorCode: null };
          const jobs = await enqueueAll(tx, audit.id, [
            ...orderFollowers(deps.matrix).map((system) => ({
              system,
              operation: 'upsertOrder',
              entity: 'Order',
              entityId: orderId,
              payload: { orderId },
              idempotencyKey: `${audit.id}:${system}`,
            })),
            ...(await shadowJobs(tx, audit.id, 'Order', orderId)),
          ]);
          const done = receiptOf(audit, jobs, { steps: saga.steps });
          await tx.audit(audit, done);
          return done;
        })
        .catch(async (error: unknown) => {
          // A copy of this request that raced this one committed first: its steps are these steps (same keys), and
          // undoing them would undo the order it placed.
          if (!(await deps.unit.receiptFor('placeOrder', idempotencyKey))) await saga.compensate();
          throw error;
        });
      await Promise.all([
        deps.invalidate('erp', 'findItemsBySkus', lines.map((line) => line.sku)),
        deps.invalidate('payments', 'findByOrderIds', [orderId]),
        ...deps.couriers.map((courier) => deps.invalidate(courier.carrier, 'findByOrderIds', [orderId])),
      ]);
      return receipt;
    } catch (error) {
      if (error instanceof WriteRejection || isIntegrationError(error)) return reject(base, error, saga.steps, saga.jobs);
      throw error;
    }
  };
}

/**
 * The payment statuses under which a courier is booked at once: the money is authorised (REQUIRES_CAPTURE) or taken
 * (SUCCEEDED). Under any other the payment waits for its client (or is still processing), and so do the bookings.
 */
const PAID: ReadonlySet<PaymentStatus> = new Set(['REQUIRES_CAPTURE', 'SUCCEEDED']);

/** A booking placeOrder left for the payment: the courier, and the request it would have sent. */
export interface AwaitingBooking {
  readonly carrier: string;
  readonly request: ShipmentRequest;
}
