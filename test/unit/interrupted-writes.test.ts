import type { Alerts, WriteAlert } from '../../src/alerts';
import { createManualClock } from '../../src/writes/clock';
import { startInterruptedWriteSweep } from '../../src/writes/interrupted-writes';
import type { FinishedWrite, Receipt } from '../../src/writes/types';

const claimed = {
  operation: 'placeOrder',
  idempotencyKey: 'order-key-1',
  actor: { subject: 'alice', scopes: ['orders:write'] },
  input: {},
  claimedAt: new Date('2026-11-27T10:00:00Z'),
};
const receipt = { status: 'APPLIED', auditId: '9b1f6a2e-3c4d-4e5f-8a9b-0c1d2e3f4a5b', owner: 'store' } as Receipt;

describe('the sweep of interrupted writes', () => {
  it('alerts ops of each write it finished, and of one it could not finish once, however many sweeps it fails', async () => {
    const raised: WriteAlert[] = [];
    const alerts = { raise: async (alert: WriteAlert) => (raised.push(alert), {}) } as unknown as Alerts;
    const outcomes: FinishedWrite[][] = [
      [{ ...claimed, error: 'the database went away' }],
      [{ ...claimed, error: 'the database went away' }],
      [{ ...claimed, receipt }],
      [],
    ];
    await using sweep = startInterruptedWriteSweep({ finishInterrupted: async () => outcomes.shift() ?? [], alerts, everyMs: 3_600_000 });
    for (let round = 0; round < 4; round += 1) await sweep.sweep();
    expect(raised).toEqual([
      { kind: 'write-interrupted', operation: 'placeOrder', idempotencyKey: 'order-key-1', actor: 'alice', claimedAt: claimed.claimedAt, outcome: { error: 'the database went away' } },
      { kind: 'write-interrupted', operation: 'placeOrder', idempotencyKey: 'order-key-1', actor: 'alice', claimedAt: claimed.claimedAt, outcome: { receipt } },
    ]);
  });

  it('tells that the store changed after a sweep that finished a write, not after one that finished none', async () => {
    const outcomes: FinishedWrite[][] = [[], [{ ...claimed, error: 'the database went away' }], [{ ...claimed, receipt }]];
    const told: (readonly FinishedWrite[])[] = [];
    await using sweep = startInterruptedWriteSweep({ finishInterrupted: async () => outcomes.shift() ?? [], everyMs: 3_600_000, onFinished: (finished) => told.push(finished) });
    for (let round = 0; round < 3; round += 1) await sweep.sweep();
    expect(told).toEqual([[{ ...claimed, receipt }]]);
  });

  it('sweeps by itself every so often, one sweep at a time, and stops when closed', async () => {
    // On a clock of the test's own: ten beats are ten sweeps, however busy the machine (issue 16).
    const clock = createManualClock();
    let sweeps = 0;
    let running = 0;
    let overlapped = false;
    const sweep = startInterruptedWriteSweep({
      finishInterrupted: async () => {
        sweeps += 1;
        running += 1;
        overlapped ||= running > 1;
        await new Promise((resolve) => setTimeout(resolve, 30));
        running -= 1;
        return [];
      },
      everyMs: 10,
      clock,
    });
    // Two asked for at once are one sweep.
    await Promise.all([sweep.sweep(), sweep.sweep()]);
    expect(sweeps).toBe(1);
    await clock.advance(100);
    expect(sweeps).toBe(11);
    await sweep.close();
    await clock.advance(100);
    expect(sweeps).toBe(11);
    expect(overlapped).toBe(false);
  });
});
