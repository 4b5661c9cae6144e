import pino from 'pino';
import { createAlerts, type Alerts } from '../../src/alerts';
import { createVendorRateLimits } from '../../src/autopilot/vendor-rate-limits';
import type { Database } from '../../src/db';
import { isIntegrationError } from '../../src/domain';
import { createMemoryRateLimiter, createRedisRateLimiter, type CallRecord, type RateLimiter } from '../../src/resilience';
import type { ComposedSystems } from '../../src/runtime/compose-systems';
import { xeroRateLimitHeaders } from '../../src/systems/xero/rate-limit-headers';
import { customerId } from '../../src/systems/kit/seed';
import { startCrmRateLimitRig, type CrmRateLimitRig } from '../support/crm-rate-limit-rig';
import { redisForTests } from '../support/redis';

/**
 * Issue 20, item 3: a vendor that lowers its rate limit. The CRM's stand-in announces half the budget the integration
 * map declares (5 calls per 10 s where the map says 10): the first answer's X-HubSpot-RateLimit-* headers lower the
 * shared token bucket to the vendor's figure, ops get one alert, and the calls beyond the vendor's budget are held back
 * by our bucket instead of being sent for a 429.
 */
describe('a vendor that lowers its rate limit', () => {
  let rig: CrmRateLimitRig;
  let db: Database;
  let composed: ComposedSystems;
  let calls: CallRecord[];

  beforeAll(async () => {
    rig = await startCrmRateLimitRig(5);
    ({ db, composed, calls } = rig);
  });

  afterAll(async () => {
    await rig?.close();
  });

  it('follows the vendor: one alert, and the calls past its budget are held back by our bucket, not refused by the vendor', async () => {
    const outcomes: string[] = [];
    for (let index = 1; index <= 8; index += 1) {
      try {
        await composed.ports.directory!.findByCustomerIds([customerId(index)]);
        outcomes.push('ok');
      } catch (error) {
        outcomes.push(isIntegrationError(error) ? `${error.code}: ${error.message}` : String(error));
      }
    }
    // Five calls fit the vendor's window; the bucket (following 5 per 10 s) holds back the rest itself.
    expect(outcomes.slice(0, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    for (const refused of outcomes.slice(5)) expect(refused).toMatch(/^UPSTREAM_RATE_LIMITED: crm findByCustomerIds: over our budget of 5 calls per 10 s/);
    // The vendor never had to say 429: every call that reached it was answered.
    expect(calls.filter((call) => call.attempts && call.outcome === 'error')).toEqual([]);

    await composed.autopilot.settled();
    const alerts = await createAlerts(db, { logger: pino({ level: 'silent' }) }).list({ kind: 'rate-limit-lowered' });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ system: 'crm', subject: '5/10s' });
    expect(alerts[0]!.message).toContain('the vendor announces 5 calls per 10 s, below the 10 calls per 10 s the integration map declares');
    expect(composed.autopilot.rateLimits().find((view) => view.system === 'crm')).toMatchObject({
      declared: { requests: 10, perSeconds: 10 },
      announced: { requests: 5, perSeconds: 10 },
      followed: { requests: 5, perSeconds: 10 },
    });
  });
});

describe('a bucket held to what the vendor says is left', () => {
  const limit = { requests: 10, perSeconds: 10 };

  const heldBucketRefuses = async (limiter: RateLimiter) => {
    expect(await limiter.reserve('crm', limit, 0)).toEqual({ granted: true, waitMs: 0 });
    await limiter.holdTo!('crm', limit, 0);
    // Nine tokens were left by our count; the vendor said none: the next one is a refill away (1 s).
    const next = await limiter.reserve('crm', limit, 100);
    expect(next.granted).toBe(false);
    await limiter.close();
  };

  it('in memory', async () => {
    await heldBucketRefuses(createMemoryRateLimiter(() => 1_000));
  });

  it('in Redis, shared by every replica', async () => {
    const url = await redisForTests();
    if (!url) return; // no Redis on this machine and not in CI: the memory bucket covers the logic
    await heldBucketRefuses(createRedisRateLimiter({ redis: url, prefix: `plugboard:test:hold:${process.pid}:${Date.now()}:` }));
  });
});

describe('a vendor that says only what remains (Xero)', () => {
  const xeroAnswer = (remaining: number) => ({
    system: 'xero', operation: 'listInvoices', method: 'GET', path: '/Invoices', status: 200, text: '{}',
    headers: { 'x-minlimit-remaining': String(remaining) },
  });
  const follower = (alerts: { raised: unknown[] }, clock: { at: number }) =>
    createVendorRateLimits({
      declared: { xero: { requests: 60, perSeconds: 60 } },
      readers: { xero: xeroRateLimitHeaders },
      alerts: {
        raise: async (alert) => {
          alerts.raised.push(alert);
          return {} as Awaited<ReturnType<Alerts['raise']>>;
        },
        list: async () => [],
      },
      now: () => clock.at,
    });

  it('reads its limit from the first answer of a quiet minute, and takes it only when clearly below the declared one', async () => {
    const alerts = { raised: [] as unknown[] };
    const clock = { at: 0 };
    const limits = follower(alerts, clock);
    // Three calls in flight at a minute's start: 57 left is no lowered limit.
    limits.onAnswer(xeroAnswer(57));
    await limits.settled();
    expect(limits.limitOf('xero', { requests: 60, perSeconds: 60 })).toEqual({ requests: 60, perSeconds: 60 });
    // A quiet minute later, the organisation has 30 a minute: followed, and alerted.
    clock.at += 61_000;
    limits.onAnswer(xeroAnswer(29));
    await limits.settled();
    expect(limits.limitOf('xero', { requests: 60, perSeconds: 60 })).toEqual({ requests: 30, perSeconds: 60 });
    expect(alerts.raised).toEqual([{ kind: 'rate-limit-lowered', system: 'xero', declared: { requests: 60, perSeconds: 60 }, announced: { requests: 30, perSeconds: 60 } }]);
    // Within the minute, what remains says nothing of the limit.
    clock.at += 1_000;
    limits.onAnswer(xeroAnswer(3));
    await limits.settled();
    expect(limits.limitOf('xero', { requests: 60, perSeconds: 60 })).toEqual({ requests: 30, perSeconds: 60 });
  });
});
