import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, parse, validate } from 'graphql';
import { createAuth, DEMO_JWT_SECRET, SCOPES } from '../../src/auth';
import { EXPLORER_EXAMPLES, explorerDemoHeaders, explorerPage } from '../../src/gateway/explorer';
import { generateEstate } from '../../src/systems/kit/seed';
import { describeInBrowser, isLocalUrl, launchChromium, readPng, type LaunchedChromium } from '../support/browser';
import { refusedByNetworkGuard } from '../support/network-guard';
import { startTestStack, type TestStack } from '../support/stack';

const describeExplorer = describeInBrowser();

/** The first customer of the example estate, by id: the welcome query lists customers in id order. */
const firstCustomer = [...generateEstate().customers].sort((a, b) => a.id.localeCompare(b.id))[0]!;

describeExplorer('the explorer a browser gets at /graphql', () => {
  let stack: TestStack;
  let chromium: LaunchedChromium;
  let shots: string;
  let passed = false;
  /** The guard's record is per jest worker: only what is refused from here on belongs to this test. */
  let refusedBefore = 0;
  /** Every URL the browser asked for, from the page and from the context (workers, preloads). */
  const requested = new Set<string>();

  beforeAll(async () => {
    refusedBefore = refusedByNetworkGuard().length;
    shots = await mkdtemp(path.join(tmpdir(), 'plugboard-explorer-'));
    stack = await startTestStack();
    chromium = await launchChromium();
    chromium.context.on('request', (request) => requested.add(request.url()));
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await stack?.close();
    // A failed run keeps its screenshot for a person to look at.
    if (passed) await rm(shots, { recursive: true, force: true });
  });

  it('runs the welcome query from the page and shows customers from the estate, without leaving 127.0.0.1', async () => {
    const page = await chromium.context.newPage();
    page.on('request', (request) => requested.add(request.url()));
    page.on('websocket', (socket) => requested.add(socket.url()));
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(`${request.url()}: ${request.failure()?.errorText ?? ''}`));

    // Chromium sends Accept: text/html for a navigation, which is what makes /graphql answer with the explorer.
    const explorer = await page.goto(stack.gateway.url, { waitUntil: 'load' });
    expect(explorer?.status()).toBe(200);
    expect(explorer?.headers()['content-type']).toMatch(/^text\/html/);
    expect(await explorer?.request().headerValue('accept')).toMatch(/text\/html/);

    const editor = page.locator('app-query-editor .cm-content');
    await editor.locator('.cm-line', { hasText: 'query CustomersWithOrders {' }).waitFor({ timeout: 30_000 });
    expect(await editor.innerText()).toContain('Run this (Ctrl+Enter)');

    // As the welcome text says: put the cursor in the query and press Ctrl+Enter.
    const answered = page.waitForResponse(
      (response) => response.request().method() === 'POST' && (response.request().postData() ?? '').includes('CustomersWithOrders'),
    );
    await editor.locator('.cm-line', { hasText: 'totalCount' }).click();
    await page.keyboard.press('Control+Enter');
    const answer = await answered;
    expect(answer.url()).toBe(stack.gateway.url);

    const result = page.locator('app-query-result');
    await result.getByText(firstCustomer.email).waitFor({ timeout: 30_000 });
    const shown = await result.innerText();
    expect(shown).toContain('200 OK');
    expect(shown).toContain('"totalCount": 240');
    expect(shown).toContain(`"email": "${firstCustomer.email}"`);
    expect(shown).toContain(`"name": "${firstCustomer.name}"`);
    // What the developer sees is the answer: no errors in it (Chromium's copy of the body can be gone by now).
    expect(shown).not.toContain('"errors"');

    const screenshot = path.join(shots, 'explorer-after-welcome-query.png');
    const png = await page.screenshot({ path: screenshot });
    expect((await stat(screenshot)).size).toBeGreaterThan(30_000);
    const decoder = await chromium.context.newPage();
    expect((await readPng(decoder, png)).colours).toBeGreaterThan(20);
    await decoder.close();

    // Altair came from the gateway itself (the altair-static package's files), and nothing left this machine.
    const urls = [...requested];
    const explorerFiles = urls.filter((url) => url.startsWith(`${stack.gateway.origin}/explorer/`));
    expect(explorerFiles.filter((url) => /\/main[^/]*\.js$/.test(url))).toHaveLength(1);
    expect(urls.filter((url) => !isLocalUrl(url))).toEqual([]);
    // Altair cancels its own superseded schema requests (net::ERR_ABORTED); anything else failing is a fault.
    expect(failed.filter((failure) => !failure.endsWith('net::ERR_ABORTED'))).toEqual([]);
    expect(failed.filter((failure) => failure.includes('/explorer/'))).toEqual([]);
    // Nor did the gateway try to (Apollo's telemetry and cloud-metadata probes would be refused and listed here).
    expect(refusedByNetworkGuard().slice(refusedBefore)).toEqual([]);
    await page.close();
  }, 90_000);

  it('opens with a tab per example flow, and places an order from the placeOrder tab with the demo\'s token', async () => {
    const page = await chromium.context.newPage();
    await page.goto(stack.gateway.url, { waitUntil: 'load' });
    const editor = page.locator('app-query-editor .cm-content');
    await editor.locator('.cm-line', { hasText: 'query CustomersWithOrders {' }).waitFor({ timeout: 30_000 });
    const tabs = page.locator('.window-switcher__item .window-switcher__input');
    expect((await tabs.allInnerTexts()).map((title) => title.trim()).sort()).toEqual(EXPLORER_EXAMPLES.map((example) => example.name).sort());

    await page.locator('.window-switcher__item', { hasText: 'placeOrder' }).click();
    await editor.locator('.cm-line', { hasText: 'mutation PlaceOrder(' }).waitFor({ timeout: 30_000 });
    const answered = page.waitForResponse(
      (response) => response.request().method() === 'POST' && (response.request().postData() ?? '').includes('mutation PlaceOrder'),
    );
    await editor.locator('.cm-line', { hasText: 'auditId' }).first().click();
    await page.keyboard.press('Control+Enter');
    const answer = await answered;
    // The tab sent the demo's bearer token, minted for the demo secret with every write scope.
    const authorization = (await answer.request().headerValue('authorization')) ?? '';
    const actor = await createAuth({ secret: DEMO_JWT_SECRET }).verify(authorization);
    expect(actor).toEqual({ subject: 'explorer', scopes: [...SCOPES] });

    const result = page.locator('app-query-result');
    await result.getByText('"status": "APPLIED"').waitFor({ timeout: 30_000 });
    const shown = await result.innerText();
    expect(shown).toContain('"owner": "store"');
    expect(shown).not.toContain('"errors"');
    await page.close();
  }, 90_000);

  it('shows, beside the answer of the Lineage tab, the system each value came from', async () => {
    const page = await chromium.context.newPage();
    await page.goto(stack.gateway.url, { waitUntil: 'load' });
    const editor = page.locator('app-query-editor .cm-content');
    await editor.locator('.cm-line', { hasText: 'query CustomersWithOrders {' }).waitFor({ timeout: 30_000 });
    await page.locator('.window-switcher__item', { hasText: 'Lineage' }).click();
    await editor.locator('.cm-line', { hasText: 'query WhereValuesComeFrom {' }).waitFor({ timeout: 30_000 });
    const answered = page.waitForResponse(
      (response) => response.request().method() === 'POST' && (response.request().postData() ?? '').includes('WhereValuesComeFrom'),
    );
    await editor.locator('.cm-line', { hasText: 'segment' }).first().click();
    await page.keyboard.press('Control+Enter');
    const answer = await answered;
    expect(await answer.request().headerValue('x-plugboard-lineage')).toBe('on');

    const result = page.locator('app-query-result');
    await result.getByText('"data"').waitFor({ timeout: 30_000 });
    // The result pane draws the lines in view: the lineage follows the data, further down.
    await result.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await result.getByText('"cacheAgeMs"').first().waitFor({ timeout: 30_000 });
    const shown = await result.innerText();
    // The last values of the answer, each with its system and when that system gave it.
    expect(shown).toMatch(/"path": "customers\.nodes\.1\./);
    expect(shown).toMatch(/"system": "(store|crm|erp|payments|courier-a|courier-b)"/);
    expect(shown).toContain('"fetchedAt"');
    const screenshot = path.join(shots, 'explorer-lineage.png');
    await page.screenshot({ path: screenshot });
    await page.close();
  }, 90_000);

  it('shows the schema documentation from the SDL descriptions in the Docs pane', async () => {
    const page = await chromium.context.newPage();
    await page.goto(stack.gateway.url, { waitUntil: 'load' });
    await page.locator('app-query-editor .cm-content .cm-line', { hasText: 'query CustomersWithOrders {' }).waitFor({ timeout: 30_000 });
    await page.getByText('Docs', { exact: true }).click();
    const docs = page.locator('app-doc-viewer');
    await docs.getByText('Query', { exact: true }).click();
    await docs.getByText('Reads: each field is served by the system that owns it.').waitFor({ timeout: 30_000 });
    await docs.getByText('All customers, a page at a time, ordered by id.').waitFor();
    await docs.getByText('One order by id.').waitFor();
    const screenshot = path.join(shots, 'explorer-docs.png');
    await page.screenshot({ path: screenshot });
    expect((await stat(screenshot)).size).toBeGreaterThan(30_000);
    await page.close();
    passed = true;
  }, 60_000);
});

describe('the explorer\'s examples and its demo header', () => {
  it('every example is a valid operation of the API schema', async () => {
    const schema = buildSchema(await readFile(path.join(__dirname, '..', '..', 'schema', 'api.graphql'), 'utf8'));
    const problems = EXPLORER_EXAMPLES.map((example) => [example.name, validate(schema, parse(example.query)).map((error) => error.message)]);
    expect(problems).toEqual(EXPLORER_EXAMPLES.map((example) => [example.name, []]));
    expect(EXPLORER_EXAMPLES.filter((example) => example.writes).map((example) => example.name)).toEqual(['placeOrder', 'updateCustomer', 'adjustInventory']);
  });

  it('every type, field, argument and enum value of the graph has a description for the Docs pane', async () => {
    const schema = buildSchema(await readFile(path.join(__dirname, '..', '..', 'schema', 'api.graphql'), 'utf8'));
    const undocumented: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      if (!type.description) undocumented.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
          for (const argument of 'args' in field ? field.args : []) {
            if (!argument.description) undocumented.push(`${type.name}.${field.name}(${argument.name})`);
          }
        }
      }
      if (isEnumType(type)) for (const value of type.getValues()) if (!value.description) undocumented.push(`${type.name}.${value.name}`);
    }
    expect(undocumented).toEqual([]);
  });

  it('carries a token only while the gateway signs with the demo\'s well-known secret', async () => {
    const demo = await explorerDemoHeaders({});
    expect(await createAuth({ secret: DEMO_JWT_SECRET }).verify(demo.Authorization)).toEqual({ subject: 'explorer', scopes: [...SCOPES] });
    expect(explorerPage({ assetsPath: '/explorer/', endpointPath: '/graphql', initialHeaders: demo })).toContain(demo.Authorization);

    const production = await explorerDemoHeaders({ PLUGBOARD_JWT_SECRET: 'a-production-secret-of-at-least-32-characters' });
    expect(production).toEqual({});
    const page = explorerPage({ assetsPath: '/explorer/', endpointPath: '/graphql', initialHeaders: production });
    expect(page).not.toMatch(/Bearer|authorization/i);
  });
});

describe('what counts as a request that stays on this machine', () => {
  it('loopback http(s)/ws and inline data only', () => {
    const local = [
      'http://127.0.0.1:4000/graphql',
      'http://localhost:4000/explorer/main.js',
      'ws://[::1]:4000/',
      'data:image/png;base64,AA',
      'blob:http://127.0.0.1:4000/0b1c',
    ];
    const elsewhere = [
      'https://fonts.googleapis.com/css2?family=JetBrains+Mono',
      'https://altairgraphql.dev/api/updates',
      'http://10.255.255.1/',
      'chrome-extension://abc/script.js',
      'not a url',
    ];
    expect(local.filter((url) => !isLocalUrl(url))).toEqual([]);
    expect(elsewhere.filter((url) => isLocalUrl(url))).toEqual([]);
  });
});
