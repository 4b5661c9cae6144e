import Fastify from 'fastify';
import { createLogger } from '../../src/logging';
import { createMetrics, metricsRoute } from '../../src/metrics';
import { startTestStack, TEST_ADMIN_TOKEN, type TestStack } from '../support/stack';
import { bearer, mintTestToken } from '../support/tokens';

/**
 * Issue 6, item 2 over HTTP against the whole stack: GET /metrics has per-system series after some traffic, and a
 * request id travels from the client through the gateway and the subgraphs to every system call's log line and
 * integration log row.
 */

const EVERY_SYSTEM = `query EverySystem($first: Int) {
  customers(first: $first) {
    nodes {
      id email segment legacyRecord { email }
      orders(first: 2) { nodes { id status lines { sku item { name onHand } } payment { status } shipments { carrier status } } }
    }
  }
}`;

/** The systems EVERY_SYSTEM reads from. */
const SYSTEMS_READ = ['store', 'crm', 'erp', 'payments', 'courier-a', 'courier-b', 'legacy'];

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly requestId?: string;
  readonly system?: string;
  readonly operation?: string;
  readonly outcome?: string;
  readonly code?: string;
}

let stack: TestStack;
const lines: LogLine[] = [];

beforeAll(async () => {
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } });
  stack = await startTestStack({}, { logger });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

const systemCalls = () => lines.filter((line) => line.system !== undefined && line.outcome !== undefined);

describe('request ids', () => {
  it('echoes the client\'s x-request-id and logs every system call the request caused with it', async () => {
    const requestId = 'abc-0123456789-request';
    const before = systemCalls().length;
    const response = await post({ query: EVERY_SYSTEM, variables: { first: 4 } }, { 'x-request-id': requestId });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const body = (await response.json()) as { data?: { customers: { nodes: unknown[] } }; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(body.data?.customers.nodes).toHaveLength(4);

    const calls = systemCalls().slice(before);
    // One line per call to a system, each with the request's id; every system the query reads from was called.
    expect(new Set(calls.filter((line) => line.outcome !== 'cached').map((line) => line.system))).toEqual(new Set(SYSTEMS_READ));
    expect(calls.filter((line) => line.requestId !== requestId)).toEqual([]);
    expect(calls.every((line) => line.msg.startsWith(`${line.system} ${line.operation}`))).toBe(true);

    // The integration log rows of those calls carry it too.
    await stack.integrationLog.flush();
    const rows = (await stack.integrationLog.recent({ limit: 500 })).filter((row) => row.requestId === requestId);
    expect(new Set(rows.map((row) => row.adapter))).toEqual(new Set(SYSTEMS_READ));
  });

  it('makes an id when the client sends none, or one that is not sane, and keeps requests apart', async () => {
    const given = await post({ query: EVERY_SYSTEM, variables: { first: 6 } });
    const made = given.headers.get('x-request-id') ?? '';
    expect(made).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await given.json();

    const forged = await post({ query: '{ customers(first: 1) { nodes { id } } }' }, { 'x-request-id': 'x\tlevel=fatal "injected"' });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await forged.json();
    const tooLong = await post({ query: '{ customers(first: 1) { nodes { id } } }' }, { 'x-request-id': 'a'.repeat(200) });
    expect(tooLong.headers.get('x-request-id')).not.toBe('a'.repeat(200));
    await tooLong.json();

    const ofMade = systemCalls().filter((line) => line.requestId === made);
    expect(ofMade.length).toBeGreaterThan(0);
    expect(systemCalls().filter((line) => line.requestId === undefined)).toEqual([]);
  });
});

describe('GET /metrics', () => {
  it('has per-system call counters, latency histograms, breaker and queue gauges and process metrics', async () => {
    // Traffic of its own, so that the test stands alone: customers no read has cached yet.
    expect((await (await post({ query: EVERY_SYSTEM, variables: { first: 12 } })).json()).errors).toBeUndefined();
    const response = await fetch(`${stack.gateway.origin}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const sample = (pattern: RegExp): number[] =>
      text.split('\n').filter((line) => pattern.test(line)).map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));

    for (const system of SYSTEMS_READ) {
      const ok = sample(new RegExp(`^plugboard_system_calls_total\\{system="${system}",operation="[^"]+",outcome="ok",code="none"\\} `));
      expect({ system, ok: ok.reduce((sum, value) => sum + value, 0) > 0 }).toEqual({ system, ok: true });
      const counted = sample(new RegExp(`^plugboard_system_call_duration_seconds_count\\{system="${system}",operation="[^"]+",outcome="ok"\\} `));
      expect({ system, counted: counted.reduce((sum, value) => sum + value, 0) > 0 }).toEqual({ system, counted: true });
      expect(text).toMatch(new RegExp(`^plugboard_system_call_duration_seconds_bucket\\{le="0\\.005",system="${system}",`, 'm'));
      const closed = sample(new RegExp(`^plugboard_breaker_state\\{system="${system}",operation="[^"]+",state="closed"\\} `));
      expect({ system, breakers: closed.length > 0 }).toEqual({ system, breakers: true });
    }
    expect(text).toContain('# TYPE plugboard_outbox_jobs gauge');
    expect(text).toContain('# TYPE plugboard_alerts_open gauge');
    expect(text).toMatch(/^plugboard_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^plugboard_nodejs_eventloop_lag_seconds \d/m);
  });

  it('counts queued writes per system and state', async () => {
    stack.estate!.sandboxes.crm.setFault({ mode: 'down' });
    try {
      // The site owns the profile; the CRM follows it through the outbox, and is down: its job waits.
      const token = await mintTestToken({ subject: 'metrics-test', scopes: ['customers:write'] });
      const receipt = (await (
        await post({ query: 'mutation { updateCustomer(input: { id: "cus-00001", name: "Metrics Probe" }) { status } }' }, bearer(token))
      ).json()) as { data?: { updateCustomer: { status: string } } };
      expect(receipt.data?.updateCustomer.status).toBe('APPLIED');
      const text = await (await fetch(`${stack.gateway.origin}/metrics`)).text();
      expect(text).toMatch(/^plugboard_outbox_jobs\{system="crm",state="(pending|running|failed)"\} [1-9]/m);
    } finally {
      stack.estate!.sandboxes.crm.setFault({ mode: 'ok' });
    }
  });
});

describe('a system that fails', () => {
  it('logs a failed call at warn with its code and the request id', async () => {
    stack.estate!.sandboxes.crm.setFault({ mode: 'down' });
    try {
      const requestId = 'crm-down-0001';
      // Customers no read has cached yet, so the CRM is asked (and fails).
      const response = await post({ query: '{ customers(first: 40) { nodes { id segment } } }' }, { 'x-request-id': requestId });
      const body = (await response.json()) as { errors?: { extensions?: { system?: string } }[] };
      expect(body.errors?.some((error) => error.extensions?.system === 'crm')).toBe(true);
      const failed = systemCalls().filter((line) => line.requestId === requestId && line.system === 'crm' && line.outcome === 'error');
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.every((line) => line.level === 40 && line.code === 'UPSTREAM_UNAVAILABLE')).toBe(true);
    } finally {
      stack.estate!.sandboxes.crm.setFault({ mode: 'ok' });
    }
  });
});

describe('GET /metrics with PLUGBOARD_METRICS=admin', () => {
  it('answers only with the admin token', async () => {
    const app = Fastify();
    const metrics = createMetrics({ processMetrics: false });
    metrics.onCall({ system: 'erp', operation: 'findBySkus', startedAt: new Date(), durationMs: 12, outcome: 'ok' });
    await app.register(metricsRoute, { metrics, adminToken: TEST_ADMIN_TOKEN });
    const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/metrics`;
    try {
      const refused = await fetch(url);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
      const allowed = await fetch(url, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
      expect(allowed.status).toBe(200);
      const text = await allowed.text();
      expect(text).toContain('plugboard_system_calls_total{system="erp",operation="findBySkus",outcome="ok",code="none"} 1');
      expect(text).toContain('plugboard_system_call_duration_seconds_bucket{le="0.025",system="erp",operation="findBySkus",outcome="ok"} 1');
      expect(text).not.toContain('plugboard_process_');
    } finally {
      await app.close();
    }
  });
});
