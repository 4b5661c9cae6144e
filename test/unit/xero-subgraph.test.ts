import { graphql } from 'graphql';
import { money, type Accounting, type Invoice } from '../../src/domain';
import { createXeroSubgraph } from '../../subgraphs/xero';

/** subgraphs/xero: Order.invoice, by the order's @key, one read of the accounting system per request level. */
describe('the xero subgraph', () => {
  const invoice = (orderId: string, status: Invoice['status'], due: number): Invoice => ({
    orderId,
    invoiceId: `inv-${orderId}`,
    number: `WEB-${orderId}`,
    status,
    total: money(4_997, 'EUR'),
    amountDue: money(due, 'EUR'),
    updatedAt: new Date('2026-12-06T10:00:00Z'),
  });

  it('answers the invoices of every order the gateway asks about in one batch read; an order without one has null', async () => {
    const reads: string[][] = [];
    const accounting: Accounting = {
      findInvoicesByOrderIds: async (ids) => {
        reads.push([...ids]);
        return new Map([invoice('ord-1', 'AWAITING_PAYMENT', 4_997), invoice('ord-2', 'PAID', 0)].filter((found) => ids.includes(found.orderId)).map((found) => [found.orderId, found]));
      },
      upsertInvoice: async () => null,
    };
    const subgraph = await createXeroSubgraph({ accounting });
    const result = await graphql({
      schema: subgraph.schema,
      source: `query ($representations: [_Any!]!) { _entities(representations: $representations) {
        ... on Order { id invoice { number status amountDue { amount currency } } } } }`,
      variableValues: { representations: ['ord-1', 'ord-2', 'ord-3'].map((id) => ({ __typename: 'Order', id })) },
      contextValue: subgraph.createContext({ headers: {} }),
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      _entities: [
        { id: 'ord-1', invoice: { number: 'WEB-ord-1', status: 'AWAITING_PAYMENT', amountDue: { amount: '49.97', currency: 'EUR' } } },
        { id: 'ord-2', invoice: { number: 'WEB-ord-2', status: 'PAID', amountDue: { amount: '0.00', currency: 'EUR' } } },
        { id: 'ord-3', invoice: null },
      ],
    });
    expect(reads).toEqual([['ord-1', 'ord-2', 'ord-3']]);
    expect(subgraph.sdl).toContain('type Order @key(fields: "id")');
  });
});
