import type { Customer } from '../../../src/domain';

let sequence = 0;

/** An Object Mother for customers: a valid customer by default, changed only where a test says. */
export class CustomerBuilder {
  private customer: Customer;

  constructor() {
    sequence += 1;
    const at = new Date('2026-03-01T10:00:00.000Z');
    this.customer = {
      id: `cus-b${String(sequence).padStart(4, '0')}`,
      email: `customer.${sequence}@example.com`,
      name: `Customer ${sequence}`,
      phone: '+31 6 12345678',
      createdAt: at,
      updatedAt: at,
    };
  }

  withId(id: string): this {
    return this.with({ id });
  }
  withEmail(email: string): this {
    return this.with({ email });
  }
  withName(name: string): this {
    return this.with({ name });
  }
  withPhone(phone: string | null): this {
    return this.with({ phone });
  }
  updatedAt(at: Date | string): this {
    return this.with({ updatedAt: new Date(at) });
  }

  build(): Customer {
    return this.customer;
  }

  private with(change: Partial<Customer>): this {
    this.customer = { ...this.customer, ...change };
    return this;
  }
}

/** `aCustomer().withEmail('ada@example.com').build()` */
export const aCustomer = (): CustomerBuilder => new CustomerBuilder();
