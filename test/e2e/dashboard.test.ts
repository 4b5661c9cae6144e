import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { parseDatabaseUrl } from '../../src/db';
import { SYSTEM_NAMES } from '../../src/estate/systems';
import { describeInBrowser, isLocalUrl, launchChromium, readPng, type LaunchedChromium } from '../support/browser';
import { testDatabases, type TestDatabase } from '../support/databases';
import { scratchDatabase } from '../support/scratch-database';
import { startTestStack, TEST_ADMIN_TOKEN, type TestStack } from '../support/stack';
import { bearer, mintTestToken } from '../support/tokens';

/**
 * Issue 6, item 1, tried as ops would in a browser: the live integrations dashboard at /admin shows every system
 * with live figures, shows the CRM down within 10 s of it going down (while its calls fail fast), and replays a dead
 * letter with a click.
 */

/** Reads every system of the estate: the store, the CRM, the ERP, payments, both couriers, accounting and the legacy store. */
const EVERY_SYSTEM = `query EverySystem($first: Int, $after: String) {
  customers(first: $first, after: $after) {
    nodes {
      id segment legacyRecord { email }
      orders(first: 2) { nodes { id lines { item { name onHand } } payment { status } shipments { carrier status } invoice { status } } }
    }
  }
}`;

const UPDATE = `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { status followerJobs { id system state } } }`;

/** The little of the DOM the checks in the page need (the project compiles without the DOM library). */
interface CanvasDom {
  readonly document: {
    querySelectorAll(selector: string): ArrayLike<{ width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null }>;
  };
  readonly Image: new () => { src: string; readonly width: number; readonly height: number; decode(): Promise<void> };
}

/** Per chart canvas: how many of its pixels are painted (not transparent). */
async function paintedPixels(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as CanvasDom;
    return Array.from(document.querySelectorAll('canvas')).map((canvas) => {
      const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let offset = 3; pixels && offset < pixels.length; offset += 4) if (pixels[offset]! > 0) painted += 1;
      return painted;
    });
  });
}


describe.each(testDatabases())('the dashboard API on $label', (database: TestDatabase) => {
  let stack: TestStack;
  let scratch: { url: string; drop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    // Its queries are written once for both dialects: PostgreSQL gets a database of its own.
    if (database.url && parseDatabaseUrl(database.url).dialect === 'postgresql') scratch = await scratchDatabase(database.url, 'dashboard');
    stack = await startTestStack(scratch ? { DATABASE_URL: scratch.url } : {});
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await scratch?.drop();
  });

  it('serves the page without a token, and its data only with the admin token', async () => {
    const page = await fetch(`${stack.gateway.origin}/admin`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<script src="/admin/chart.umd.js" defer></script>');
    const chart = await fetch(`${stack.gateway.origin}/admin/chart.umd.js`);
    expect(chart.status).toBe(200);
    expect((await chart.text()).length).toBeGreaterThan(100_000);

    const refused = await fetch(`${stack.gateway.origin}/admin/api/dashboard`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    const badFollow = await fetch(`${stack.gateway.origin}/admin/api/dashboard?follow=../etc`, { headers: bearer(TEST_ADMIN_TOKEN) });
    expect(badFollow.status).toBe(400);
  });

  it('answers a tile per system with figures from the integration log, without calling any system', async () => {
    expect((await stack.query(EVERY_SYSTEM, { first: 5 })).errors).toBeUndefined();
    await stack.integrationLog.flush();
    const before = sandboxRequests(stack);
    const response = await fetch(`${stack.gateway.origin}/admin/api/dashboard`, { headers: bearer(TEST_ADMIN_TOKEN) });
    expect(response.status).toBe(200);
    const snapshot = (await response.json()) as {
      systems: { name: string; state: string; uptime: number | null; live: { calls: number; p50Ms: number | null; p95Ms: number | null } }[];
      charts: { hour: { buckets: number[]; systems: Record<string, { calls: number[] }> }; day: { buckets: number[] } };
    };
    expect(snapshot.systems.map((system) => system.name)).toEqual([...SYSTEM_NAMES]);
    for (const system of snapshot.systems) {
      expect({ name: system.name, state: system.state, uptime: system.uptime }).toEqual({ name: system.name, state: 'up', uptime: 1 });
      expect(system.live.calls).toBeGreaterThan(0);
      expect(system.live.p95Ms).toBeGreaterThanOrEqual(system.live.p50Ms ?? Number.NaN);
    }
    expect(snapshot.charts.hour.buckets).toHaveLength(61);
    expect(snapshot.charts.day.buckets).toHaveLength(97);
    expect(snapshot.charts.hour.systems.crm?.calls.reduce((sum, calls) => sum + calls, 0)).toBeGreaterThan(0);
    // The dashboard read the tables and the breakers: no sandbox heard of it.
    expect(sandboxRequests(stack)).toEqual(before);
  });

  it('explains the last bad payload a system sent, in words', async () => {
    stack.estate!.sandboxes.crm.setFault({ mode: 'garbage' });
    try {
      // Customers no read has cached yet, so the CRM is asked, and answers nonsense.
      const body = await stack.query('{ customers(first: 60) { nodes { id segment } } }');
      expect(body.errors?.some((error) => error.extensions?.code === 'UPSTREAM_BAD_RESPONSE' && error.extensions?.system === 'crm')).toBe(true);
    } finally {
      stack.estate!.sandboxes.crm.setFault({ mode: 'ok' });
    }
    await stack.integrationLog.flush();
    const snapshot = (await (await fetch(`${stack.gateway.origin}/admin/api/dashboard`, { headers: bearer(TEST_ADMIN_TOKEN) })).json()) as {
      systems: { name: string; state: string; live: { errors: number }; lastBadPayload: { operation: string; reason: string } | null }[];
    };
    const crm = snapshot.systems.find((system) => system.name === 'crm')!;
    expect(crm.lastBadPayload?.operation).toBe('findByCustomerIds');
    expect(crm.lastBadPayload?.reason.length).toBeGreaterThan(10);
    expect(crm.live.errors).toBeGreaterThan(0);
    expect(crm.state).not.toBe('up');
    expect(snapshot.systems.filter((system) => system.name !== 'crm').every((system) => system.lastBadPayload === null)).toBe(true);
  });
});

/** Requests each sandbox has received so far. */
function sandboxRequests(stack: TestStack): Record<string, number> {
  return Object.fromEntries(Object.entries(stack.estate!.sandboxes).map(([name, sandbox]) => [name, sandbox.stats.snapshot().total]));
}

describeInBrowser()('the live integrations dashboard in a browser', () => {
  let stack: TestStack;
  let chromium: LaunchedChromium;
  let shots: string;
  let passed = false;
  let cursors: string[] = [];
  const requested = new Set<string>();

  beforeAll(async () => {
    shots = await mkdtemp(path.join(tmpdir(), 'plugboard-dashboard-'));
    stack = await startTestStack(
      {
        // A write the ERP refuses is dead-lettered after two quick attempts.
        PLUGBOARD_OUTBOX_BACKOFF_BASE_MS: '50',
        PLUGBOARD_OUTBOX_BACKOFF_CAP_MS: '100',
        PLUGBOARD_OUTBOX_BACKOFF_JITTER: '0',
        PLUGBOARD_OUTBOX_MAX_ATTEMPTS: '2',
      },
      {
        systems: {
          // The CRM's breaker opens after a few failed reads and stays open for the rest of the test.
          crm: { breaker: { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 120_000, rollingWindowMs: 10_000 } },
          // The ERP's never opens here: its follower job must fail for real, twice, to be dead-lettered.
          erp: { breaker: { errorThresholdPercentage: 50, volumeThreshold: 10_000, resetTimeoutMs: 1_000, rollingWindowMs: 10_000 } },
        },
      },
    );
    chromium = await launchChromium();
    chromium.context.on('request', (request) => requested.add(request.url()));
    const page = await stack.query<{ customers: { edges: { cursor: string }[] } }>(`{ customers(first: 240) { edges { cursor } } }`);
    cursors = page.data?.customers.edges.map((edge) => edge.cursor) ?? [];
    expect(cursors).toHaveLength(240);
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await stack?.close();
    // A failed run keeps its screenshots for a person to look at.
    if (passed) await rm(shots, { recursive: true, force: true });
    else if (shots) console.warn(`dashboard screenshots kept in ${shots}`);
  });

  it('shows every system with live figures, the CRM down within 10 s, and replays a dead letter from the page', async () => {
    // Some traffic first: every system answers.
    for (const offset of [0, 10, 20]) {
      expect((await stack.query(EVERY_SYSTEM, { first: 10, after: offset ? cursors[offset - 1] : null })).errors).toBeUndefined();
    }

    const page = await chromium.context.newPage();
    const loaded = await page.goto(`${stack.gateway.origin}/admin`, { waitUntil: 'load' });
    expect(loaded?.status()).toBe(200);
    // The page asks for the token once, and keeps it for the tab.
    await page.locator('#token').fill(TEST_ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Open the dashboard' }).click();

    for (const system of SYSTEM_NAMES) {
      const tile = page.locator(`[data-system="${system}"]`);
      await tile.locator('[data-field="state"]', { hasText: 'up' }).waitFor({ timeout: 15_000 });
      expect(await tile.locator('[data-field="uptime"]').innerText()).toBe('100%');
      expect(await tile.locator('[data-field="error-rate"]').innerText()).toBe('0%');
      expect(await tile.locator('[data-field="p50"]').innerText()).toMatch(/^\d+(\.\d)? ms$/);
      expect(await tile.locator('[data-field="p95"]').innerText()).toMatch(/^\d+(\.\d)? ms$/);
      expect(Number(await tile.locator('[data-field="calls-per-minute"]').innerText())).toBeGreaterThan(0);
      expect(await tile.locator('[data-breaker]').count()).toBeGreaterThan(0);
    }
    // The charts are drawn.
    const painted = await paintedPixels(page);
    expect(painted).toHaveLength(3);
    expect(painted.every((count) => count > 500)).toBe(true);
    const overview = path.join(shots, 'dashboard-live.png');
    const png = await page.screenshot({ path: overview, fullPage: true });
    const blank = await chromium.context.newPage();
    await blank.setContent('<html><body></body></html>');
    const blankPng = await blank.screenshot({ fullPage: true });
    expect((await stat(overview)).size).toBeGreaterThan(5 * blankPng.length);
    expect((await readPng(blank, png)).colours).toBeGreaterThan(20);

    // The CRM goes down; reads of customers nobody has read yet reach it, fail, and open its breaker.
    stack.estate!.sandboxes.crm.setFault({ mode: 'down' });
    for (const offset of [100, 110, 120, 130]) {
      const body = await stack.query(EVERY_SYSTEM, { first: 10, after: cursors[offset - 1] });
      expect(body.errors?.some((error) => error.extensions?.system === 'crm')).toBe(true);
    }
    // The 10 s run from when the failed calls are in (the product cannot know sooner), not from the fault switch: how
    // long the test's own queries take on a busy machine is not the dashboard's delay.
    const wentDown = Date.now();
    const crm = page.locator('[data-system="crm"]');
    await crm.locator('[data-field="state"]', { hasText: 'down' }).waitFor({ timeout: 10_000 - (Date.now() - wentDown) });
    expect(Date.now() - wentDown).toBeLessThan(10_000);
    await crm.locator('.breaker-open').first().waitFor({ timeout: 15_000 });
    expect(await crm.locator('[data-field="reason"]').innerText()).toMatch(/breaker open|calls failed/);
    // Only the CRM is down.
    expect(await page.locator('[data-system="erp"] [data-field="state"]').textContent()).toBe('up');
    await page.screenshot({ path: path.join(shots, 'dashboard-crm-down.png'), fullPage: true });
    stack.estate!.sandboxes.crm.setFault({ mode: 'ok' });

    // The ERP goes down during a write it follows: its job fails twice and is dead-lettered.
    stack.estate!.sandboxes.erp.setFault({ mode: 'down' });
    const token = await mintTestToken({ subject: 'dashboard-test', scopes: ['customers:write'] });
    const write = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify({ query: UPDATE, variables: { input: { id: 'cus-00007', email: 'dashboard.replay@example.com' } } }),
    });
    const receipt = ((await write.json()) as { data: { updateCustomer: { status: string; followerJobs: { id: string; system: string }[] } } }).data.updateCustomer;
    expect(receipt.status).toBe('APPLIED');
    const erpJob = receipt.followerJobs.find((job) => job.system === 'erp')!;
    expect(erpJob).toBeDefined();
    const erp = page.locator('[data-system="erp"]');
    const replay = erp.locator(`[data-replay="${erpJob.id}"]`);
    await replay.waitFor({ timeout: 15_000 });
    expect(await erp.locator('[data-field="queue-states"]').innerText()).toContain('dead 1');
    await page.screenshot({ path: path.join(shots, 'dashboard-dead-letter.png'), fullPage: true });

    // The ERP is back; ops replay the job from the page and watch it delivered.
    stack.estate!.sandboxes.erp.setFault({ mode: 'ok' });
    await replay.click();
    await page.locator(`#replayed [data-job="${erpJob.id}"][data-job-state="done"]`).waitFor({ timeout: 15_000 });
    await erp.locator('[data-field="queue-states"]', { hasText: 'dead 0' }).waitFor({ timeout: 15_000 });
    const job = (await (await fetch(`${stack.gateway.origin}/admin/api/outbox?state=done&limit=1000`, { headers: bearer(TEST_ADMIN_TOKEN) })).json()) as { jobs: { id: string }[] };
    expect(job.jobs.map((row) => row.id)).toContain(erpJob.id);
    await page.screenshot({ path: path.join(shots, 'dashboard-replayed.png'), fullPage: true });

    // Shadow mode: the table from its API, or a clear word that it is absent.
    await page.locator('#shadow-message').filter({ hasText: /\S/ }).waitFor({ timeout: 15_000 });
    const shadow = await page.locator('#shadow-message').innerText();
    const shadowApi = await fetch(`${stack.gateway.origin}/admin/api/shadow`, { headers: bearer(TEST_ADMIN_TOKEN) });
    if (shadowApi.status === 404) expect(shadow).toContain('not available');
    else {
      // Switched from the page, and back: the table shows what the shadow API now says.
      const row = page.locator('#shadow-table tbody tr').first();
      await row.waitFor({ timeout: 15_000 });
      const was = await row.locator('[data-field="shadow"]').innerText();
      const flipped = was === 'on' ? 'off' : 'on';
      await row.locator('[data-shadow-toggle]').click();
      await row.locator('[data-field="shadow"]', { hasText: flipped }).waitFor({ timeout: 15_000 });
      await row.locator('[data-shadow-toggle]').click();
      await row.locator('[data-field="shadow"]', { hasText: was }).waitFor({ timeout: 15_000 });
    }

    // Everything the page loaded came from the gateway.
    expect([...requested].filter((url) => !isLocalUrl(url))).toEqual([]);
    await blank.close();
    await page.close();
    passed = true;
  }, 120_000);
});
