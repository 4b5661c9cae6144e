import { money, type CrmProfile, type Customer, type CustomerDirectory, type CustomerSegment, type Money } from '../../src/domain';
import { createFaultSwitch, createKeyMemory, rejected, type FaultSwitch, type FakeSleep } from './fault-switch';

export interface FakeCustomerDirectoryOptions {
  /** Customers the CRM already holds, with what it owns about them (a lead worth nothing when not given). */
  readonly customers?: readonly Customer[];
  readonly facts?: ReadonlyMap<string, { readonly segment: CustomerSegment; readonly lifetimeValueMinor: number }>;
  /** @default "EUR" */
  readonly currency?: string;
  /** @default "crm" */
  readonly system?: string;
  readonly now?: () => Date;
  readonly sleep?: FakeSleep;
}

/** The CRM in memory: its profiles by our customer id, what it was asked, and its fault switch. */
export interface FakeCustomerDirectory {
  readonly directory: CustomerDirectory;
  readonly system: string;
  readonly profiles: Map<string, CrmProfile>;
  readonly faults: FaultSwitch;
}

export function createFakeCustomerDirectory(options: FakeCustomerDirectoryOptions = {}): FakeCustomerDirectory {
  const system = options.system ?? 'crm';
  const currency = options.currency ?? 'EUR';
  const now = options.now ?? (() => new Date());
  const faults = createFaultSwitch({ system, ...(options.sleep ? { sleep: options.sleep } : {}) });
  const once = createKeyMemory();
  let nextId = 1;
  const newCrmId = (): string => String(900_000 + nextId++);
  const profileOf = (customer: Customer, segment: CustomerSegment, lifetimeValue: Money, crmId = newCrmId()): CrmProfile => ({
    customerId: customer.id,
    crmId,
    email: customer.email,
    name: customer.name,
    phone: customer.phone,
    segment,
    lifetimeValue,
    updatedAt: customer.updatedAt,
  });
  const profiles = new Map(
    (options.customers ?? []).map((customer) => {
      const facts = options.facts?.get(customer.id);
      return [customer.id, profileOf(customer, facts?.segment ?? 'LEAD', money(facts?.lifetimeValueMinor ?? 0, currency))];
    }),
  );

  const directory: CustomerDirectory = {
    async findByCustomerIds(ids, callOptions) {
      if (ids.length === 0) return new Map();
      await faults.enter('batchRead', callOptions?.signal);
      return new Map(ids.flatMap((id) => (profiles.has(id) ? [[id, profiles.get(id)!] as const] : [])));
    },
    async upsertProfile({ customer, idempotencyKey }, callOptions) {
      await faults.enter('upsertProfile', callOptions?.signal);
      return once('upsertProfile', idempotencyKey, () => {
        const held = profiles.get(customer.id);
        const profile: CrmProfile = held
          ? { ...held, email: customer.email, name: customer.name, phone: customer.phone, updatedAt: now() }
          : { ...profileOf(customer, 'LEAD', money(0, currency)), updatedAt: now() };
        profiles.set(customer.id, profile);
        return profile;
      });
    },
    async updateSegment({ customerId, segment, idempotencyKey }, callOptions) {
      await faults.enter('updateSegment', callOptions?.signal);
      return once('updateSegment', idempotencyKey, () => {
        const held = profiles.get(customerId);
        if (!held) throw rejected(system, 'updateSegment', `no contact for customer ${customerId}`);
        const profile: CrmProfile = { ...held, segment, updatedAt: now() };
        profiles.set(customerId, profile);
        return profile;
      });
    },
  };

  return { directory, system, profiles, faults };
}
