import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { openDatabase, WebhookEventEntity, type Database } from '../../src/db';
import { useSystemWebhook, WebhookRefusal, type InboundEvent, type VendorWebhook } from '../../src/webhooks';

/**
 * The webhooks kit on its own, with a vendor that signs nothing: deliveries racing each other about one subject apply
 * in event order (the older one is superseded, whichever lands first), a failing apply leaves nothing remembered (the
 * vendor's retry applies it), and a refusal answers the status the vendor asks for.
 */

interface Sent {
  readonly events: { id: string; subject: string | null; at: number }[];
}

const vendor: VendorWebhook = {
  async read(delivery) {
    if (delivery.headers['x-test-signature'] !== 'good') throw new WebhookRefusal('WEBHOOK_SIGNATURE_INVALID', 'bad test signature', { status: 401 });
    const sent = JSON.parse(delivery.raw.toString('utf8')) as Sent;
    return sent.events.map((event) => ({ id: event.id, type: 'test.changed', subject: event.subject, occurredAt: new Date(event.at), state: event.id }));
  },
};

describe('webhooks kit: verify -> deduplicate -> order -> apply -> remember -> log', () => {
  let dir: string;
  let db: Database;
  let app: FastifyInstance;
  const applied: string[][] = [];
  const logged: { outcome: string; errorCode?: string; reason?: string }[] = [];
  let failNextApply = false;
  let origin: string;
  let gate: Promise<void> | undefined;
  let onApply: (ids: string[]) => void = () => undefined;
  let markEntered: () => void = () => undefined;
  const entered = new Promise<void>((resolve) => (markEntered = resolve));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'plugboard-webhooks-kit-'));
    db = await openDatabase(undefined, { dataDir: dir });
    await db.migrate();
    app = Fastify();
    const plugin = useSystemWebhook({
      system: 'test-system',
      path: '/webhooks/test',
      vendor,
      db,
      integrationLog: { record: (row) => void logged.push(row as never) },
      apply: async (events: readonly InboundEvent[]) => {
        const ids = events.map((event) => event.id);
        onApply(ids);
        if (gate && ids.includes('r-new')) {
          markEntered();
          await gate;
        }
        if (failNextApply) {
          failNextApply = false;
          throw new Error('the cache is down');
        }
        applied.push(events.map((event) => event.id));
      },
    });
    await plugin.routes(app, { adminToken: 'unused' });
    origin = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = async (events: Sent['events'], signature = 'good') => {
    const response = await fetch(`${origin}/webhooks/test`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-test-signature': signature }, body: JSON.stringify({ events }) });
    const body = (await response.json()) as Record<string, unknown>;
    return { statusCode: response.status, json: () => body };
  };
  const rowsOf = (subject: string) => db.orm.em.fork().find(WebhookEventEntity, { source: 'test-system', subject }, { orderBy: { occurredAt: 'asc' } });

  it('never applies an older event over a newer one, even when their deliveries race', async () => {
    // The newer event's delivery is held inside its apply until the older one's delivery has come in and either
    // applied (the bug: both found themselves newest) or waited its turn; a timer lets go if it waits.
    let release: () => void = () => undefined;
    gate = new Promise<void>((resolve) => (release = resolve));
    onApply = (ids) => {
      if (ids.includes('r-old')) release();
    };
    const newer = post([{ id: 'r-new', subject: 'race', at: 2_000 }]);
    await entered;
    const older = post([{ id: 'r-old', subject: 'race', at: 1_000 }]);
    const fallback = setTimeout(release, 300);
    const answers = await Promise.all([newer, older]);
    clearTimeout(fallback);
    gate = undefined;
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200]);
    expect((await rowsOf('race')).map((row) => [row.eventId, row.outcome])).toEqual([
      ['r-old', 'superseded'],
      ['r-new', 'applied'],
    ]);
    // Sent the other way round, the older one is superseded.
    await post([{ id: 'f-new', subject: 'race-2', at: 2_000 }]);
    await post([{ id: 'f-old', subject: 'race-2', at: 1_000 }]);
    expect((await rowsOf('race-2')).map((row) => [row.eventId, row.outcome])).toEqual([
      ['f-old', 'superseded'],
      ['f-new', 'applied'],
    ]);
    expect(applied.flat().filter((id) => id.startsWith('f-'))).toEqual(['f-new']);
    expect(applied.flat().filter((id) => id.startsWith('r-'))).toEqual(['r-new']);
  });

  it('leaves an event it could not apply unremembered, so that the retry applies it once', async () => {
    failNextApply = true;
    const failed = await post([{ id: 'g-1', subject: 'retry', at: 1_000 }]);
    expect(failed.statusCode).toBe(503);
    expect(failed.json()).toMatchObject({ error: { code: 'WEBHOOK_NOT_APPLIED' } });
    expect(await rowsOf('retry')).toEqual([]);
    const retried = await post([{ id: 'g-1', subject: 'retry', at: 1_000 }]);
    expect(retried.json()).toMatchObject({ applied: 1 });
    expect((await post([{ id: 'g-1', subject: 'retry', at: 1_000 }])).json()).toMatchObject({ applied: 0, duplicates: 1 });
    expect(applied.flat().filter((id) => id === 'g-1')).toEqual(['g-1']);
  });

  it('answers a refusal with the status the vendor asks for, logs it, and remembers nothing', async () => {
    const refused = await post([{ id: 'h-1', subject: 'forged', at: 1_000 }], 'bad');
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ error: { code: 'WEBHOOK_SIGNATURE_INVALID', message: 'bad test signature' } });
    expect(await rowsOf('forged')).toEqual([]);
    expect(logged.at(-1)).toMatchObject({ outcome: 'error', errorCode: 'WEBHOOK_SIGNATURE_INVALID' });
  });
});
