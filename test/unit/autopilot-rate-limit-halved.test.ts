import pino from 'pino';
import { createAlerts } from '../../src/alerts';
import type { Database } from '../../src/db';
import { isIntegrationError } from '../../src/domain';
import type { CallRecord } from '../../src/resilience';
import type { ComposedSystems } from '../../src/runtime/compose-systems';
import type { RunningSandbox } from '../../src/systems/kit/sandbox';
import { customerId } from '../../src/systems/kit/seed';
import { startCrmRateLimitRig, type CrmRateLimitRig } from '../support/crm-rate-limit-rig';

/**
 * Issue 20's check for item 3, as it is written: "a sandbox that halves its rate limit: the alert, and no 429 storm
 * after it". The CRM's stand-in starts at the limit the integration map declares (10 calls per 10 s) and halves it
 * while the product runs, through the sandbox kit's control (`POST /_sandbox/rate-limit`); from its next answer it
 * announces and enforces 5. The product raises one alert, its token bucket follows the vendor, and the calls after
 * that are held back by our bucket: the vendor's 429s after the alert are counted, and stay at most one.
 */
describe('a sandbox that halves its rate limit while the product runs', () => {
  let rig: CrmRateLimitRig;
  let db: Database;
  let sandbox: RunningSandbox;
  let composed: ComposedSystems;
  let calls: CallRecord[];

  beforeAll(async () => {
    rig = await startCrmRateLimitRig(10);
    ({ db, sandbox, composed, calls } = rig);
  });

  afterAll(async () => {
    await rig?.close();
  });

  const read = async (index: number): Promise<string> => {
    try {
      await composed.ports.directory!.findByCustomerIds([customerId(index)]);
      return 'ok';
    } catch (error) {
      return isIntegrationError(error) ? `${error.code}: ${error.message}` : String(error);
    }
  };
  const alerts = () => createAlerts(db, { logger: pino({ level: 'silent' }) }).list({ kind: 'rate-limit-lowered' });
  /** Calls the vendor refused with a 429 (they reached it, unlike those our bucket held back). */
  const vendorRefusals = (records: readonly CallRecord[]) => records.filter((call) => call.attempts && call.outcome === 'error');

  it('raises one alert, follows the vendor\'s halved limit, and earns no 429 storm after it', async () => {
    // At the declared limit: answered, nothing to say.
    expect([await read(1), await read(2)]).toEqual(['ok', 'ok']);
    await composed.autopilot.settled();
    expect(await alerts()).toEqual([]);

    const halved = await fetch(`${sandbox.url}/_sandbox/rate-limit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: 5, perSeconds: 10 }),
    });
    expect(halved.status).toBe(200);

    const before = calls.length;
    const outcomes: string[] = [];
    for (let index = 3; index <= 10; index += 1) outcomes.push(await read(index));
    // A burst on top, all at once: the shared bucket hands out no token the vendor has not got.
    outcomes.push(...(await Promise.all([11, 12, 13, 14, 15, 16].map(read))));
    const after = calls.slice(before);

    await composed.autopilot.settled();
    const raised = await alerts();
    expect(raised).toHaveLength(1);
    expect(raised[0]!.message).toContain('the vendor announces 5 calls per 10 s, below the 10 calls per 10 s the integration map declares');
    expect(composed.autopilot.rateLimits().find((view) => view.system === 'crm')).toMatchObject({ followed: { requests: 5, perSeconds: 10 } });
    // The vendor's window held 2 calls when it halved: 3 more fit, then our bucket holds the rest back itself.
    const answered = outcomes.filter((outcome) => outcome === 'ok').length;
    const heldBack = outcomes.filter((outcome) => /^UPSTREAM_RATE_LIMITED: crm findByCustomerIds: over our budget of 5 calls per 10 s/.test(outcome)).length;
    const refused = vendorRefusals(after).length;
    process.stdout.write(`halved rate limit: ${outcomes.length} calls after the change: ${answered} answered, ${heldBack} held back by our bucket, ${refused} refused by the vendor (429)\n`);
    expect(answered).toBeGreaterThanOrEqual(3);
    expect(answered + heldBack + refused).toBe(outcomes.length);
    expect(refused).toBeLessThanOrEqual(1);
    expect(heldBack).toBeGreaterThanOrEqual(outcomes.length - answered - 1);
  });
});
