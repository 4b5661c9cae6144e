import type { Customer, InventoryItem, Order } from '../../src/domain';
import type { ClaimedJob } from '../../src/outbox/outbox';
import { createManualClock, type ManualClock } from '../../src/writes/clock';
import { createFollowerHandlers } from '../../src/writes/follower-handlers';
import type { Actor } from '../../src/writes/types';
import { createWriteService, type CourierRule, type WriteMatrix, type WriteService } from '../../src/writes/write-service';
import { aMatrix } from '../support/builders';
import { createFakeCourier, type FakeCourier } from './courier';
import { createFakeCustomerDirectory, type FakeCustomerDirectory } from './customer-directory';
import { createFakeErp, type FakeErp } from './erp';
import { createFakeLegacyStore, type FakeLegacyStore } from './legacy-store';
import { createFakePaymentGateway, type FakePaymentGateway } from './payment-gateway';
import { createFakeSiteStore, type FakeSiteStore } from './site-store';
import { createFakeWriteUnit, type FakeJob, type FakeWriteUnit } from './write-unit';

export interface WriteWorldOptions {
  /** Customers the site holds (the CRM and the ERP hold their copies too). */
  readonly customers?: readonly Customer[];
  readonly items?: readonly (InventoryItem & { readonly reserved?: number })[];
  readonly orders?: readonly Order[];
  /** @default the demo's matrix */
  readonly matrix?: WriteMatrix;
  /** @default every order with courier A */
  readonly courierRule?: CourierRule;
  /** Entities in shadow mode. */
  readonly shadow?: readonly string[];
}

/** The write path over fakes of every system, on a clock that moves only when told: no stack, no socket. */
export interface WriteWorld {
  readonly writes: WriteService;
  readonly clock: ManualClock;
  readonly unit: FakeWriteUnit;
  readonly store: FakeSiteStore;
  readonly crm: FakeCustomerDirectory;
  readonly erp: FakeErp;
  readonly payments: FakePaymentGateway;
  readonly courierA: FakeCourier;
  readonly courierB: FakeCourier;
  readonly legacy: FakeLegacyStore;
  /** Cache invalidations the write path asked for, as "system:operation:key". */
  readonly invalidated: string[];
  /** Runs every pending outbox job once through the follower handlers, as a worker would; answers what it ran. */
  drain(): Promise<{ job: FakeJob; error?: unknown }[]>;
}

/** Someone allowed to write. */
export const anActor = (subject = 'ops@example.com'): Actor => ({ subject, scopes: ['write'] });

export function createWriteWorld(options: WriteWorldOptions = {}): WriteWorld {
  const clock = createManualClock(new Date('2026-12-01T12:00:00.000Z'));
  const now = clock.now;
  const customers = options.customers ?? [];
  const store = createFakeSiteStore({ customers, orders: options.orders ?? [] });
  const crm = createFakeCustomerDirectory({ customers, now });
  const erp = createFakeErp({ items: options.items ?? [], customers, orders: options.orders ?? [], now });
  const payments = createFakePaymentGateway({ now });
  const courierA = createFakeCourier({ carrier: 'courier-a', now });
  const courierB = createFakeCourier({ carrier: 'courier-b', now });
  const legacy = createFakeLegacyStore({ customers, orders: options.orders ?? [] });
  const unit = createFakeWriteUnit({ customers: store.customers, orders: store.orders, now, ...(options.shadow ? { shadow: options.shadow } : {}) });
  const invalidated: string[] = [];
  const invalidate = async (system: string, operation: string, keys: readonly string[]) => {
    invalidated.push(...keys.map((key) => `${system}:${operation}:${key}`));
  };
  const couriers = [courierA.courier, courierB.courier];
  const writes = createWriteService({
    unit,
    matrix: options.matrix ?? aMatrix().buildForWrites(),
    directory: crm.directory,
    erp: erp.erp,
    payments: payments.gateway,
    couriers,
    courierRule: options.courierRule ?? (() => ['courier-a']),
    invalidate,
    now,
    idempotency: { clock },
  });
  const handlers = createFollowerHandlers({ couriers, store: store.store, directory: crm.directory, erp: erp.erp, payments: payments.gateway, legacy: legacy.legacy, invalidate });

  return {
    writes,
    clock,
    unit,
    store,
    crm,
    erp,
    payments,
    courierA,
    courierB,
    legacy,
    invalidated,
    async drain() {
      const ran: { job: FakeJob; error?: unknown }[] = [];
      for (const job of unit.jobs.filter((candidate) => candidate.state === 'pending')) {
        const handler = handlers[`${job.system}:${job.operation}`];
        if (!handler) throw new Error(`no handler for ${job.system}:${job.operation}`);
        const claimed: ClaimedJob = { id: job.id, system: job.system, operation: job.operation, payload: job.payload, idempotencyKey: job.idempotencyKey, attempts: 1, maxAttempts: 8, lockedBy: 'test' };
        try {
          await handler(claimed);
          ran.push({ job });
        } catch (error) {
          ran.push({ job, error });
        }
      }
      return ran;
    },
  };
}
