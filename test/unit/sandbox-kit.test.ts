import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startSandbox, type RunningSandbox, type SandboxDefinition } from '../../src/systems/kit/sandbox';

interface Widget {
  readonly id: string;
  readonly name: string;
  readonly price: number;
  readonly inStock: boolean;
}

/** The smallest system: one JSON route over one collection. */
const widgets: SandboxDefinition = {
  name: 'widgets',
  routes(app, { records }) {
    const collection = records.collection<Widget>('widgets');
    collection.set('w-1', { id: 'w-1', name: 'Sprocket', price: 12.5, inStock: true });
    app.get<{ Params: { id: string } }>('/widgets/:id', { config: { operation: 'getWidget' } }, async (request, reply) => {
      const widget = collection.get(request.params.id);
      return widget ?? reply.code(404).send({ error: 'no such widget' });
    });
  },
};

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** One HTTP exchange on a connection of its own (no keep-alive: a reset must not spill into the next request). */
function call(sandbox: RunningSandbox, method: string, path: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const outgoing = httpRequest(
      `${sandbox.url}${path}`,
      { method, agent: false, headers: payload ? { 'content-type': 'application/json' } : {} },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

const json = (answer: Answer): unknown => JSON.parse(answer.text);
const getWidget = (sandbox: RunningSandbox) => call(sandbox, 'GET', '/widgets/w-1');
const setFault = (sandbox: RunningSandbox, setting: unknown) => call(sandbox, 'POST', '/_sandbox/faults', setting);

describe('sandbox kit: the fault switch and window every sandbox has', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox(widgets, { port: 0 });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  afterEach(async () => {
    await setFault(sandbox, { mode: 'ok' });
  });

  it('serves on 127.0.0.1 and answers the vendor route normally in ok mode', async () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const set = await setFault(sandbox, { mode: 'ok' });
    expect([set.status, json(set)]).toEqual([200, { mode: 'ok' }]);
    const answer = await getWidget(sandbox);
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ id: 'w-1', name: 'Sprocket', price: 12.5, inStock: true });
  });

  it('down: resets the connection, so the client gets a socket error and no HTTP answer', async () => {
    await setFault(sandbox, { mode: 'down' });
    await expect(getWidget(sandbox)).rejects.toMatchObject({ code: 'ECONNRESET' });
    // The window itself stays up, so a test can always switch the fault off again.
    expect(json(await call(sandbox, 'GET', '/_sandbox/faults'))).toEqual({ mode: 'down' });
  });

  it('slow: holds each answer back for delayMs', async () => {
    await setFault(sandbox, { mode: 'slow', delayMs: 300 });
    const started = performance.now();
    const answer = await getWidget(sandbox);
    const elapsed = performance.now() - started;
    expect(answer.status).toBe(200);
    expect(json(answer)).toMatchObject({ id: 'w-1' });
    // The kit sleeps with node:timers, which jest's fake clock does not reach through a real socket; libuv's
    // millisecond loop clock may fire a timer a hair early, hence the 5 ms of slack.
    expect(elapsed).toBeGreaterThanOrEqual(295);
  });

  it('keeps each answered request with its operation and times, the time a slow fault held it apart', async () => {
    sandbox.stats.reset();
    await getWidget(sandbox);
    await setFault(sandbox, { mode: 'slow', delayMs: 120 });
    const before = performance.timeOrigin + performance.now();
    await getWidget(sandbox);
    const after = performance.timeOrigin + performance.now();
    await call(sandbox, 'GET', '/_sandbox/stats'); // the window's own requests are not the system's

    const [plain, held, ...rest] = sandbox.stats.answered();
    expect(rest).toEqual([]);
    expect(plain).toMatchObject({ operation: 'getWidget', heldMs: 0 });
    expect(held!.operation).toBe('getWidget');
    expect(held!.heldMs).toBeGreaterThanOrEqual(115);
    expect(held!.receivedAt).toBeGreaterThanOrEqual(before);
    expect(held!.answeredAt).toBeLessThanOrEqual(after);
    expect(held!.answeredAt - held!.receivedAt).toBeGreaterThanOrEqual(held!.heldMs);
    sandbox.stats.reset();
    expect(sandbox.stats.answered()).toEqual([]);
  });

  it('garbage: two answers in a row are malformed JSON and wrong-shaped JSON', async () => {
    await setFault(sandbox, { mode: 'garbage' });
    const answers = [await getWidget(sandbox), await getWidget(sandbox)];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const parsed = answers.map((answer) => {
      try {
        return { ok: true as const, value: JSON.parse(answer.text) as unknown };
      } catch {
        return { ok: false as const, text: answer.text };
      }
    });
    const malformed = parsed.filter((entry) => !entry.ok);
    const wellFormed = parsed.filter((entry) => entry.ok);
    expect(malformed).toHaveLength(1);
    expect(wellFormed).toHaveLength(1);
    // Valid JSON, but every field has the wrong type for a Widget.
    expect(wellFormed[0]).toEqual({ ok: true, value: { id: 3, name: 8, price: '12.5', inStock: 'yes' } });
  });

  it('ratelimit: 429 with Retry-After, default 1 s, or as set', async () => {
    await setFault(sandbox, { mode: 'ratelimit' });
    const byDefault = await getWidget(sandbox);
    expect([byDefault.status, byDefault.headers['retry-after']]).toEqual([429, '1']);

    await setFault(sandbox, { mode: 'ratelimit', retryAfterSeconds: 7 });
    const asSet = await getWidget(sandbox);
    expect([asSet.status, asSet.headers['retry-after']]).toEqual([429, '7']);
    expect(json(asSet)).toMatchObject({ status: 429, message: expect.stringMatching(/too many requests/i) });
  });

  it('flaky: probability 1 always answers 503, probability 0 never does', async () => {
    await setFault(sandbox, { mode: 'flaky', probability: 1 });
    const failing = [await getWidget(sandbox), await getWidget(sandbox), await getWidget(sandbox)];
    expect(failing.map((answer) => answer.status)).toEqual([503, 503, 503]);
    expect(json(failing[0]!)).toEqual({ status: 503, message: 'Service temporarily unavailable' });

    await setFault(sandbox, { mode: 'flaky', probability: 0 });
    const passing = [await getWidget(sandbox), await getWidget(sandbox), await getWidget(sandbox)];
    expect(passing.map((answer) => answer.status)).toEqual([200, 200, 200]);
  });

  it('rejects an invalid setting with 400 naming the problem, and keeps the current one', async () => {
    await setFault(sandbox, { mode: 'slow', delayMs: 10 });
    const cases: Array<[unknown, string]> = [
      [{ mode: 'sideways' }, 'mode'],
      [{ mode: 'slow', delayMs: -5 }, 'delayMs'],
      [{ mode: 'flaky', probability: 2 }, 'probability'],
      [{ mode: 'ok', delay: 100 }, 'delay'],
    ];
    for (const [setting, problem] of cases) {
      const answer = await setFault(sandbox, setting);
      expect([JSON.stringify(setting), answer.status]).toEqual([JSON.stringify(setting), 400]);
      expect(answer.text).toContain('invalid fault setting');
      expect(answer.text).toContain(`"${problem}"`);
    }
    expect(json(await call(sandbox, 'GET', '/_sandbox/faults'))).toEqual({ mode: 'slow', delayMs: 10 });
  });

  it('GET /_sandbox/faults echoes the setting in force', async () => {
    const setting = { mode: 'ratelimit', retryAfterSeconds: 30 };
    expect(json(await setFault(sandbox, setting))).toEqual(setting);
    expect(json(await call(sandbox, 'GET', '/_sandbox/faults'))).toEqual(setting);
  });

  it('/_sandbox/stats counts requests by operation, faulted ones included; DELETE resets it', async () => {
    await call(sandbox, 'DELETE', '/_sandbox/stats');
    await getWidget(sandbox);
    await call(sandbox, 'GET', '/widgets/w-404');
    await setFault(sandbox, { mode: 'ratelimit' });
    await getWidget(sandbox);
    await setFault(sandbox, { mode: 'flaky', probability: 1 });
    await getWidget(sandbox);
    await setFault(sandbox, { mode: 'down' });
    await getWidget(sandbox).catch(() => undefined);

    expect(json(await call(sandbox, 'GET', '/_sandbox/stats'))).toEqual({
      total: 5,
      byOperation: { getWidget: 5 },
      faultsInjected: 3,
    });

    const reset = await call(sandbox, 'DELETE', '/_sandbox/stats');
    expect(json(reset)).toEqual({ total: 0, byOperation: {}, faultsInjected: 0 });
    expect(json(await call(sandbox, 'GET', '/_sandbox/stats'))).toEqual({ total: 0, byOperation: {}, faultsInjected: 0 });
  });

  it('/_sandbox/records/<collection>/<id> shows what the system holds, 404 when it holds nothing', async () => {
    const found = await call(sandbox, 'GET', '/_sandbox/records/widgets/w-1');
    expect([found.status, json(found)]).toEqual([200, { id: 'w-1', name: 'Sprocket', price: 12.5, inStock: true }]);

    const missing = await call(sandbox, 'GET', '/_sandbox/records/widgets/w-404');
    expect([missing.status, json(missing)]).toEqual([404, { error: 'no widgets record w-404' }]);
    const noCollection = await call(sandbox, 'GET', '/_sandbox/records/gadgets/w-1');
    expect(noCollection.status).toBe(404);

    expect(json(await call(sandbox, 'GET', '/_sandbox/records'))).toEqual({ collections: ['widgets'] });
  });
});
