import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { gracefulClose } from '../../src/serve/graceful-close';

/**
 * A server told to stop serves what it is serving, to the end, and then stops: no answer is lost to a deploy, and a
 * request that never ends cannot hold the stop past its grace.
 */

// Unref'd: a handler still waiting when its connection is dropped keeps no timer alive after the test.
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

async function serverWith(handlerMs: number, graceMs: number) {
  const app = Fastify({ logger: false });
  const stop = gracefulClose(app, graceMs);
  // Each request that reaches the handler is announced, so a test stops the server once one is in flight, not after
  // a guess at how long the request takes to get there.
  const arrivals: (() => void)[] = [];
  const arrived = () => new Promise<void>((resolve) => arrivals.push(resolve));
  app.get('/work', async () => {
    arrivals.shift()?.();
    await wait(handlerMs);
    return { done: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { app, stop, origin, arrived };
}

it('answers a request in flight, closes its keep-alive connection and idle ones, and stops as soon as it is answered', async () => {
  // The grace is far longer than the test may take: a stop that waited for it (or for fastify's 72 s keep-alive
  // timeout) instead of for the answer fails the bound below, or the test's own timeout.
  const { stop, origin, arrived } = await serverWith(600, 60_000);
  const agent = new Agent({ keepAliveTimeout: 60_000 });
  try {
    // An idle keep-alive connection, as a browser or a gateway's pool leaves one.
    await (await request(`${origin}/work`, { dispatcher: agent })).body.text();
    const started = performance.now();
    const inHandler = arrived();
    const inFlight = request(`${origin}/work`, { dispatcher: agent }).then(async (response) => ({
      status: response.statusCode,
      connection: response.headers.connection,
      body: await response.body.json(),
      at: performance.now() - started,
    }));
    await inHandler;
    const stopped = stop().then(() => performance.now() - started);
    const answer = await inFlight;
    expect(answer).toMatchObject({ status: 200, connection: 'close', body: { done: true } });
    // It stops once the answer is out, not after the grace or the keep-alive timeout; the slack is for a busy machine.
    expect(await stopped).toBeLessThan(answer.at + 15_000);
  } finally {
    await agent.close();
  }
}, 90_000);

it('drops a request that outlives the grace, and stops', async () => {
  // The handler would hold its request far longer than the test may take: only the grace can end it.
  const { stop, origin, arrived } = await serverWith(600_000, 300);
  const agent = new Agent();
  try {
    const inHandler = arrived();
    const inFlight = request(`${origin}/work`, { dispatcher: agent }).then(
      () => 'answered',
      () => 'dropped',
    );
    await inHandler;
    const started = performance.now();
    await stop();
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(await inFlight).toBe('dropped');
  } finally {
    await agent.destroy();
  }
});
