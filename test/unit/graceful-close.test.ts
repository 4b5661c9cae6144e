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
  app.get('/work', async () => {
    await wait(handlerMs);
    return { done: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { app, stop, origin };
}

it('answers a request in flight, closes its keep-alive connection and idle ones, and stops as soon as it is answered', async () => {
  const { stop, origin } = await serverWith(600, 10_000);
  const agent = new Agent({ keepAliveTimeout: 60_000 });
  try {
    // An idle keep-alive connection, as a browser or a gateway's pool leaves one.
    await (await request(`${origin}/work`, { dispatcher: agent })).body.text();
    const started = performance.now();
    const inFlight = request(`${origin}/work`, { dispatcher: agent }).then(async (response) => ({
      status: response.statusCode,
      connection: response.headers.connection,
      body: await response.body.json(),
      at: performance.now() - started,
    }));
    await wait(100);
    const stopped = stop().then(() => performance.now() - started);
    const answer = await inFlight;
    expect(answer).toMatchObject({ status: 200, connection: 'close', body: { done: true } });
    // It stops once the answer is out, not after the keep-alive timeout (fastify's is 72 s).
    expect(await stopped).toBeLessThan(answer.at + 1_000);
  } finally {
    await agent.close();
  }
});

it('drops a request that outlives the grace, and stops', async () => {
  const { stop, origin } = await serverWith(30_000, 300);
  const agent = new Agent();
  try {
    const inFlight = request(`${origin}/work`, { dispatcher: agent }).then(
      () => 'answered',
      () => 'dropped',
    );
    await wait(100);
    const started = performance.now();
    await stop();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await inFlight).toBe('dropped');
  } finally {
    await agent.destroy();
  }
});
