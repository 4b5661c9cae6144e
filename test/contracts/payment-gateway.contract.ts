import {
  isIntegrationError,
  money,
  type IntegrationError,
  type IntegrationErrorCode,
  type Payment,
  type PaymentGateway,
  type PaymentStatus,
} from '../../src/domain';
import type { RunningSandbox } from '../../src/systems/kit/sandbox';

/** A payment as the system holds it, read through the sandbox window rather than through the port under test. */
export interface HeldPayment {
  readonly orderId: string;
  readonly status: PaymentStatus;
  readonly amountMinor: number;
  readonly currency: string;
  readonly refundedMinor: number;
}

export interface PaymentGatewayContractSubject {
  /** The implementation under test. */
  readonly gateway: PaymentGateway;
  /** The running system behind it: fault switch and request stats. */
  readonly sandbox: RunningSandbox;
  /** Payments the system holds from the start (the estate's), for reads. */
  readonly seeded: readonly Payment[];
  /** The operation name under which the sandbox counts a batch read of payments. */
  readonly batchReadOperation: string;
  /** Reads one payment from `/_sandbox/records`; `undefined` when the system holds no such payment. */
  heldPayment(paymentId: string): Promise<HeldPayment | undefined>;
  /** How many payments the system holds for one of our orders. */
  paymentCountForOrder(orderId: string): Promise<number>;
  /**
   * The differences from the vendor's published description the system met (requests it received, answers and events
   * it sent), for a system held to one; every test ends with none. An in-memory fake has no wire and leaves it out.
   */
  specViolations?(): Promise<readonly unknown[]>;
  /** Closes the implementation and the system behind it. */
  close(): Promise<void>;
}

/**
 * The contract every PaymentGateway implementation keeps: batch reads answer exactly the orders asked for in one
 * call per batch, writes land in the system and apply once per idempotency key, payments move through
 * authorise (confirm) -> capture -> refund, and the system's failures arrive as our closed set of errors.
 */
export function describePaymentGatewayContract(
  label: string,
  setup: () => Promise<PaymentGatewayContractSubject>,
): void {
  describe(`PaymentGateway contract: ${label}`, () => {
    let subject: PaymentGatewayContractSubject;
    let gateway: PaymentGateway;
    let orderCounter = 0;
    const newOrderId = (): string => `ord-contract-${(orderCounter += 1)}`;
    const searchCalls = (): number => subject.sandbox.stats.snapshot().byOperation[subject.batchReadOperation] ?? 0;
    const seededWith = (status: PaymentStatus): Payment => {
      // From the end, so that writes to it never touch the first payments the reads ask for.
      const found = subject.seeded.findLast((payment) => payment.status === status);
      if (!found) throw new Error(`the estate has no ${status} payment`);
      return found;
    };

    beforeAll(async () => {
      subject = await setup();
      gateway = subject.gateway;
    });
    afterEach(async () => {
      subject.sandbox.setFault({ mode: 'ok' });
      // The vendor's description is the oracle: nothing the implementation sent, nor the system answered, may leave it.
      if (subject.specViolations) expect(await subject.specViolations()).toEqual([]);
    });
    afterAll(async () => {
      await subject?.close();
    });

    describe('findByOrderIds', () => {
      it('answers exactly the orders asked for, in one call, with missing orders absent', async () => {
        const asked = subject.seeded.slice(0, 7);
        const before = searchCalls();
        const found = await gateway.findByOrderIds([
          ...asked.map((payment) => payment.orderId),
          'ord-that-does-not-exist',
          "ord-with-a-'quote",
        ]);
        expect(searchCalls() - before).toBe(1);
        expect([...found.keys()].sort()).toEqual(asked.map((payment) => payment.orderId).sort());
        for (const payment of asked) expect(found.get(payment.orderId)).toEqual(payment);
      });

      it('makes no call for no keys and answers a repeated key once', async () => {
        const before = searchCalls();
        expect((await gateway.findByOrderIds([])).size).toBe(0);
        expect(searchCalls()).toBe(before);
        const payment = subject.seeded[10]!;
        const found = await gateway.findByOrderIds([payment.orderId, payment.orderId]);
        expect([...found.values()]).toEqual([payment]);
      });

      it('answers the latest payment when an order has several', async () => {
        const earlier = seededWith('CANCELED');
        const retry = await gateway.createPayment({
          orderId: earlier.orderId,
          customerId: 'cus-00001',
          amount: earlier.amount,
          idempotencyKey: `contract-retry-${earlier.orderId}`,
        });
        const found = await gateway.findByOrderIds([earlier.orderId]);
        expect(found.get(earlier.orderId)?.id).toBe(retry.id);
        expect(retry.id).not.toBe(earlier.id);
      });
    });

    describe('writes', () => {
      it('creates a payment the system then holds and the batch read finds', async () => {
        const orderId = newOrderId();
        const payment = await gateway.createPayment({
          orderId,
          customerId: 'cus-00002',
          amount: money(4_250, 'EUR'),
          idempotencyKey: `contract-create-${orderId}`,
        });
        expect(payment).toMatchObject({ orderId, amount: money(4_250, 'EUR'), refunded: money(0, 'EUR') });
        expect(['REQUIRES_PAYMENT_METHOD', 'REQUIRES_CONFIRMATION']).toContain(payment.status);
        expect(await subject.heldPayment(payment.id)).toEqual({
          orderId,
          status: payment.status,
          amountMinor: 4_250,
          currency: 'EUR',
          refundedMinor: 0,
        });
        expect((await gateway.findByOrderIds([orderId])).get(orderId)).toEqual(payment);
      });

      it('applies a create once per idempotency key', async () => {
        const orderId = newOrderId();
        const input = { orderId, customerId: 'cus-00003', amount: money(999, 'EUR'), idempotencyKey: `contract-once-${orderId}` };
        const first = await gateway.createPayment(input);
        const second = await gateway.createPayment(input);
        expect(second.id).toBe(first.id);
        expect(await subject.paymentCountForOrder(orderId)).toBe(1);
      });

      it('authorises on confirm, captures, and refunds in part then in full, each refund applied once', async () => {
        const orderId = newOrderId();
        const created = await gateway.createPayment({
          orderId,
          customerId: 'cus-00004',
          amount: money(10_000, 'EUR'),
          idempotencyKey: `contract-flow-create-${orderId}`,
        });
        const paymentId = created.id;
        const confirmed = await gateway.confirmPayment({ paymentId, idempotencyKey: `contract-flow-confirm-${orderId}` });
        expect(confirmed.status).toBe('REQUIRES_CAPTURE');
        const captured = await gateway.capturePayment({ paymentId, idempotencyKey: `contract-flow-capture-${orderId}` });
        expect(captured.status).toBe('SUCCEEDED');
        expect((await subject.heldPayment(created.id))?.status).toBe('SUCCEEDED');

        const partial = { paymentId, amount: money(2_500, 'EUR'), idempotencyKey: `contract-flow-refund-1-${orderId}` };
        expect((await gateway.refundPayment(partial)).refunded).toEqual(money(2_500, 'EUR'));
        expect((await gateway.refundPayment(partial)).refunded).toEqual(money(2_500, 'EUR'));
        expect((await subject.heldPayment(created.id))?.refundedMinor).toBe(2_500);

        const rest = await gateway.refundPayment({ paymentId: created.id, idempotencyKey: `contract-flow-refund-2-${orderId}` });
        expect(rest).toMatchObject({ status: 'SUCCEEDED', refunded: money(10_000, 'EUR') });
        expect((await subject.heldPayment(created.id))?.refundedMinor).toBe(10_000);
      });

      it('answers a repeated capture with its first answer, and refuses a new capture of a captured payment', async () => {
        const orderId = newOrderId();
        const created = await gateway.createPayment({
          orderId,
          customerId: 'cus-00005',
          amount: money(3_000, 'EUR'),
          idempotencyKey: `contract-recapture-create-${orderId}`,
        });
        await gateway.confirmPayment({ paymentId: created.id, idempotencyKey: `contract-recapture-confirm-${orderId}` });
        const capture = { paymentId: created.id, idempotencyKey: `contract-recapture-capture-${orderId}` };
        const first = await gateway.capturePayment(capture);
        expect(await gateway.capturePayment(capture)).toEqual(first);
        await expectIntegrationError(
          gateway.capturePayment({ paymentId: created.id, idempotencyKey: `contract-recapture-again-${orderId}` }),
          'UPSTREAM_REJECTED',
        );
      });

      it('cancels an authorised payment, and refuses to cancel a captured one', async () => {
        const orderId = newOrderId();
        const created = await gateway.createPayment({
          orderId,
          customerId: 'cus-00006',
          amount: money(1_500, 'EUR'),
          idempotencyKey: `contract-cancel-create-${orderId}`,
        });
        await gateway.confirmPayment({ paymentId: created.id, idempotencyKey: `contract-cancel-confirm-${orderId}` });
        const canceled = await gateway.cancelPayment({ paymentId: created.id, idempotencyKey: `contract-cancel-${orderId}` });
        expect(canceled.status).toBe('CANCELED');
        expect((await subject.heldPayment(created.id))?.status).toBe('CANCELED');

        const succeeded = seededWith('SUCCEEDED');
        await expectIntegrationError(
          gateway.cancelPayment({ paymentId: succeeded.id, idempotencyKey: `contract-cancel-succeeded-${succeeded.id}` }),
          'UPSTREAM_REJECTED',
        );
        expect((await subject.heldPayment(succeeded.id))?.status).toBe('SUCCEEDED');
      });

      it('refuses writes to a payment the system does not hold', async () => {
        await expectIntegrationError(
          gateway.confirmPayment({ paymentId: 'pi_doesnotexist', idempotencyKey: 'contract-unknown-confirm' }),
          'UPSTREAM_REJECTED',
        );
        expect(await subject.heldPayment('pi_doesnotexist')).toBeUndefined();
      });
    });

    describe('failures of the system', () => {
      it('reports garbage (malformed or wrong-shaped answers) as UPSTREAM_BAD_RESPONSE', async () => {
        subject.sandbox.setFault({ mode: 'garbage' });
        const orderIds = subject.seeded.slice(0, 3).map((payment) => payment.orderId);
        await expectIntegrationError(gateway.findByOrderIds(orderIds), 'UPSTREAM_BAD_RESPONSE');
        await expectIntegrationError(gateway.findByOrderIds(orderIds), 'UPSTREAM_BAD_RESPONSE');
        const orderId = newOrderId();
        const create = { orderId, customerId: 'cus-00007', amount: money(700, 'EUR') };
        for (const attempt of [1, 2]) {
          await expectIntegrationError(
            gateway.createPayment({ ...create, idempotencyKey: `contract-garbage-${attempt}-${orderId}` }),
            'UPSTREAM_BAD_RESPONSE',
          );
        }
      });

      it('reports a system that drops connections as UPSTREAM_UNAVAILABLE', async () => {
        subject.sandbox.setFault({ mode: 'down' });
        await expectIntegrationError(gateway.findByOrderIds([subject.seeded[0]!.orderId]), 'UPSTREAM_UNAVAILABLE');
        await expectIntegrationError(
          gateway.capturePayment({ paymentId: seededWith('REQUIRES_CAPTURE').id, idempotencyKey: 'contract-down-capture' }),
          'UPSTREAM_UNAVAILABLE',
        );
      });

      it('reports a 429 as UPSTREAM_RATE_LIMITED with the wait the system asked for', async () => {
        subject.sandbox.setFault({ mode: 'ratelimit', retryAfterSeconds: 7 });
        const error = await expectIntegrationError(gateway.findByOrderIds([subject.seeded[0]!.orderId]), 'UPSTREAM_RATE_LIMITED');
        expect(error.retryAfterMs).toBe(7_000);
      });

      it('gives up when the caller stops waiting, as UPSTREAM_TIMEOUT', async () => {
        subject.sandbox.setFault({ mode: 'slow', delayMs: 60_000 });
        const started = Date.now();
        await expectIntegrationError(
          gateway.findByOrderIds([subject.seeded[0]!.orderId], { signal: AbortSignal.timeout(150) }),
          'UPSTREAM_TIMEOUT',
        );
        expect(Date.now() - started).toBeLessThan(20_000);
      });
    });
  });
}

/** Awaits a rejection and checks it is our error with the given code; answers it for further checks. */
export async function expectIntegrationError(promise: Promise<unknown>, code: IntegrationErrorCode): Promise<IntegrationError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  if (!isIntegrationError(caught)) {
    throw new Error(`expected an IntegrationError ${code}, got ${caught === undefined ? 'no error' : String(caught)}`);
  }
  expect({ code: caught.code, reason: caught.message }).toEqual({ code, reason: expect.any(String) });
  return caught;
}
