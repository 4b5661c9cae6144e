import { IntegrationError } from '../../src/domain';
import { outcomeUnknown, Saga } from '../../src/writes/saga';
import type { JobRequest } from '../../src/writes/types';

const job = (what: string): JobRequest => ({ system: 'erp', operation: 'releaseStock', entity: 'Order', entityId: 'ord-1', payload: { what }, idempotencyKey: `audit-1:undo:${what}` });
const down = (system: string) => new IntegrationError('UPSTREAM_UNAVAILABLE', `${system} down`, { system });

describe('a saga', () => {
  it('undoes completed steps newest first when a later one fails', async () => {
    const saga = new Saga();
    const undone: string[] = [];
    await saga.do({ step: 'reserve A', system: 'erp', run: async () => 'A', compensate: async (what) => void undone.push(what) });
    await saga.do({ step: 'reserve B', system: 'erp', run: async () => 'B', compensate: async (what) => void undone.push(what) });
    await expect(saga.do({ step: 'pay', system: 'payments', run: () => Promise.reject(new IntegrationError('UPSTREAM_REJECTED', 'declined', { system: 'payments' })) })).rejects.toThrow('declined');
    expect(undone).toEqual(['B', 'A']);
    expect(saga.steps.map((step) => step.outcome)).toEqual(['done', 'done', 'failed', 'compensated', 'compensated']);
    expect(saga.jobs).toEqual([]);
  });

  it('queues the undo a system cannot take now, so nothing is left undone', async () => {
    const saga = new Saga();
    await saga.do({ step: 'reserve A', system: 'erp', run: async () => 'A', compensate: () => Promise.reject(down('erp')), compensateLater: (what) => job(what) });
    await saga.do({ step: 'book', system: 'courier-b', run: async () => 'S', compensate: () => Promise.reject(down('courier-b')) });
    await expect(saga.do({ step: 'pay', system: 'payments', run: () => Promise.reject(down('payments')) })).rejects.toThrow();
    expect(saga.jobs).toEqual([job('A')]);
    expect(saga.steps.slice(3).map(({ step, outcome }) => `${step}: ${outcome}`)).toEqual(['undo book: compensation-failed', 'undo reserve A: compensation-queued']);
  });

  it('clears up after a step whose answer was lost, unless it was never attempted', async () => {
    const cleanUpAfter = { when: outcomeUnknown, job: () => job('payment') };
    const lost = new Saga();
    await expect(lost.do({ step: 'pay', system: 'payments', run: () => Promise.reject(new IntegrationError('UPSTREAM_TIMEOUT', 'no answer', { system: 'payments' })), cleanUpAfter })).rejects.toThrow();
    expect(lost.jobs).toEqual([job('payment')]);
    expect(lost.steps.map((step) => step.outcome)).toEqual(['failed', 'cleanup-queued']);

    const refused = new Saga();
    await expect(refused.do({ step: 'pay', system: 'payments', run: () => Promise.reject(new IntegrationError('CIRCUIT_OPEN', 'open', { system: 'payments' })), cleanUpAfter })).rejects.toThrow();
    expect(refused.jobs).toEqual([]);
  });
});
