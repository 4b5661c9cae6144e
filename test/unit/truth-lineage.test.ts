import DataLoader from 'dataloader';
import type { ConflictLog } from '../../src/audit/conflicts';
import type { DriftLog } from '../../src/audit/drift';
import type { Customer, ErpOrder } from '../../src/domain';
import { recordMatrixChoices, type MatrixChoice } from '../../src/truth/lineage';
import { createTruth } from '../../src/truth/truth';
import { createFakeCustomerDirectory } from '../fakes/customer-directory';
import { createFakeErp } from '../fakes/erp';
import { createFakeSiteStore } from '../fakes/site-store';
import { aCustomer, aMatrix, anOrder } from '../support/builders';

/**
 * The matrix's choices a request asking for lineage hears (src/truth/lineage.ts): the system served, and every system
 * whose copy disagreed and lost, compared before the answer.
 */
describe('the matrix\'s choices, for lineage', () => {
  const ada = aCustomer().withEmail('ada@example.com').build();
  const order = anOrder().for(ada).withStatus('CONFIRMED').updatedAt('2026-11-10T10:00:00Z').build();

  const setUp = (options: { crmCopy?: Partial<Customer>; erpOrder?: Partial<ErpOrder> } = {}) => {
    const store = createFakeSiteStore({ customers: [ada], orders: [order] });
    const crm = createFakeCustomerDirectory({ customers: [{ ...ada, ...options.crmCopy }] });
    const erp = createFakeErp({ customers: [ada], orders: [order] });
    if (options.erpOrder) erp.orders.set(order.id, { ...erp.orders.get(order.id)!, ...options.erpOrder });
    const truth = createTruth({
      matrix: aMatrix().build(),
      directory: crm.directory,
      erp: erp.erp,
      drift: { observe: async () => undefined } as unknown as DriftLog,
      conflicts: { record: async () => true } as unknown as ConflictLog,
      applyOrderStatus: async () => undefined,
    });
    const customers = new DataLoader<string, Customer | null>(async (ids) => {
      const found = await store.store.findCustomersByIds(ids);
      return ids.map((id) => found.get(id) ?? null);
    });
    return truth.forRequest({ customers });
  };

  const heard = async (work: () => Promise<unknown>): Promise<MatrixChoice[]> => {
    const choices: MatrixChoice[] = [];
    await recordMatrixChoices({ chose: (choice) => void choices.push(choice) }, work);
    return choices;
  };

  it('the owner\'s e-mail is served over the CRM\'s that disagrees: the CRM lost, with its value', async () => {
    const request = setUp({ crmCopy: { email: 'ada.old@example.com' } });
    expect(await heard(() => request.customerField(ada, 'email'))).toEqual([
      { entity: 'Customer', entityId: ada.id, field: 'email', system: 'store', rule: 'owner-wins', losers: [{ system: 'crm', value: 'ada.old@example.com' }] },
    ]);
  });

  it('an order the ERP changed later: the ERP\'s status is served, the store lost', async () => {
    const request = setUp({ erpOrder: { status: 'SHIPPED', updatedAt: new Date('2026-11-11T10:00:00Z') } });
    expect(await heard(() => request.order(order))).toEqual([
      { entity: 'Order', entityId: order.id, field: 'status', system: 'erp', rule: 'latest-timestamp-wins', losers: [{ system: 'store', value: 'CONFIRMED' }] },
    ]);
  });

  it('hears nothing, and compares nothing before the answer, for a request that did not ask', async () => {
    const request = setUp({ crmCopy: { email: 'ada.old@example.com' } });
    const choices: MatrixChoice[] = [];
    await recordMatrixChoices({ chose: (choice) => void choices.push(choice) }, async () => undefined);
    expect(await request.customerField(ada, 'email')).toBe('ada@example.com');
    expect(choices).toEqual([]);
  });
});
