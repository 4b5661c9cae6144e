import { levelsOf, longestChain } from '../../bench/integration/probe';

/**
 * The systems' own time of a page, as the integration benchmark holds our latency against it: the longest chain of
 * calls in which each was asked after the one before was answered, as the systems timed them (bench/integration).
 */
const call = (name: string, start: number, end: number) => ({ name, start, end, heldMs: 0 });
const ms = (chain: readonly { start: number; end: number }[]) => chain.reduce((sum, one) => sum + one.end - one.start, 0);

describe("the systems' own time of a page", () => {
  it('follows one system asked twice beside a slower one: the chain, not the sum of each level\'s slowest', () => {
    // The ERP's orders, then the Canada Post tracking (slow) beside ShipEngine's shipments list, whose labels list is
    // asked once the shipments list answered, while the tracking still runs.
    const orders = call('orders', 0, 20);
    const tracking = call('tracking', 25, 95);
    const shipments = call('shipments', 25, 45);
    const labels = call('labels', 50, 80);
    const calls = [tracking, labels, orders, shipments];

    expect(longestChain(calls).map((one) => one.name)).toEqual(['orders', 'tracking']);
    expect(ms(longestChain(calls))).toBe(90);
    // Each level's slowest, summed, counts the labels on top of the tracking they ran beside: 20 + 70 + 30.
    const levels = levelsOf(calls);
    const slowest = new Map<number, number>();
    calls.forEach((one, index) => slowest.set(levels[index]!, Math.max(slowest.get(levels[index]!) ?? 0, one.end - one.start)));
    expect([...slowest.values()].reduce((sum, one) => sum + one, 0)).toBe(120);
  });

  it('takes the longer branch when the second request of a system outlasts the slow one', () => {
    const calls = [call('orders', 0, 20), call('tracking', 25, 60), call('shipments', 25, 45), call('labels', 50, 90)];
    expect(longestChain(calls).map((one) => one.name)).toEqual(['orders', 'shipments', 'labels']);
    expect(ms(longestChain(calls))).toBe(80);
  });

  it('counts calls made at once as one step, and no call as nothing', () => {
    expect(ms(longestChain([call('a', 0, 30), call('b', 1, 25), call('c', 2, 40)]))).toBe(38);
    expect(longestChain([])).toEqual([]);
  });
});
