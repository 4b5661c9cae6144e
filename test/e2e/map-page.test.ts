import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { SYSTEM_NAMES } from '../../src/estate/systems';
import { describeInBrowser, launchChromium, type LaunchedChromium } from '../support/browser';

const ROOT = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

/** `npm run map -- <args>`, as the package script runs it. */
function npmRunMap(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['-r', '@swc-node/register', 'src/cli/map.ts', ...args], { cwd: ROOT, timeout: 60_000 });
}

describe('npm run map', () => {
  let out: string;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'plugboard-map-page-'));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('writes the map as HTML and Markdown, prints where, and the HTML needs nothing from anywhere', async () => {
    const { stdout } = await npmRunMap(['--out', out]);
    const html = path.join(out, 'integration-map.html');
    const markdown = path.join(out, 'integration-map.md');
    expect(stdout.trim().split('\n')).toEqual([`wrote ${html}`, `wrote ${markdown}`]);
    const page = await readFile(html, 'utf8');
    expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\(\s*['"]?(https?:|\/\/)|\bsrc=/i);
    expect(await readFile(markdown, 'utf8')).toContain('```mermaid');
  });

  it('refuses an invalid map: exit 1 and a message that names the file, the line and the place', async () => {
    const schema = await mkdtemp(path.join(tmpdir(), 'plugboard-map-bad-'));
    try {
      for (const file of ['integration-map.yaml', 'source-of-truth.yaml', 'supergraph.graphql']) {
        await copyFile(path.join(ROOT, 'schema', file), path.join(schema, file));
      }
      const matrixFile = path.join(schema, 'source-of-truth.yaml');
      const matrix = await readFile(matrixFile, 'utf8');
      await writeFile(matrixFile, matrix.replace('followers: [erp], direction: bidirectional', 'followers: [erpp], direction: bidirectional'));
      const line = matrix.slice(0, matrix.indexOf('followers: [erp], direction: bidirectional')).split('\n').length;

      const failure = await npmRunMap(['--schema', schema, '--out', path.join(schema, 'out')]).then(
        () => undefined,
        (error: { code?: number; stderr?: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toBe(
        'The integration map is invalid:\n' +
          `${matrixFile}:${line}: entities.Order.fields.status.followers[0]: unknown system "erpp" ` +
          '(did you mean erp? the map has: store, crm, erp, payments, courier-a, courier-b, xero, legacy)\n',
      );
      await expect(stat(path.join(schema, 'out'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(schema, { recursive: true, force: true });
    }
  }, 60_000);
});

describeInBrowser()('the Integration Map page in a browser', () => {
  let out: string;
  let chromium: LaunchedChromium;
  let passed = false;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'plugboard-map-shot-'));
    await npmRunMap(['--out', out]);
    chromium = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await chromium?.close();
    // A failed run keeps the page and its screenshot for a person to look at.
    if (passed) await rm(out, { recursive: true, force: true });
    else if (out) console.warn(`integration map page and screenshot kept in ${out}`);
  });

  it('shows every system, every wire and the matrix, on one page that asks the network for nothing', async () => {
    const requested: string[] = [];
    chromium.context.on('request', (request) => requested.push(request.url()));
    const page = await chromium.context.newPage();
    const url = pathToFileURL(path.join(out, 'integration-map.html')).href;
    await page.goto(url, { waitUntil: 'load' });

    // Every system, in the diagram and in the table.
    for (const system of SYSTEM_NAMES) {
      await expect(page.locator(`svg.diagram g.system[data-system="${system}"]`).textContent()).resolves.toContain(system);
      await expect(page.locator(`table.systems tr[data-system="${system}"] th`).innerText()).resolves.toMatch(new RegExp(`^${system}\\b`));
    }
    expect(await page.locator('svg.diagram g.system.hub').getAttribute('data-system')).toBe('store');

    // One wire per entity flow; the bidirectional one has heads at both ends.
    const wires = await page.locator('svg.diagram path.wire').evaluateAll((paths) =>
      paths.map((wire) => ({ style: wire.getAttribute('class'), title: wire.querySelector('title')?.textContent ?? '', start: wire.hasAttribute('marker-start') })),
    );
    expect(wires).toHaveLength(11);
    expect(wires).toContainEqual({
      style: 'wire bidirectional',
      title: expect.stringMatching(/^Order: status \(store ↔ erp; bidirectional/),
      start: true,
    });
    expect(wires.filter((wire) => wire.style === 'wire sync').map((wire) => wire.title.split(' (')[0])).toEqual([
      'Customer: email, name, phone',
      'Customer: email, name, phone',
      'Order: number, placedAt, lines, total',
      'Order: number, placedAt, lines, total',
      'InventoryItem: name, onHand, available, price',
    ]);
    expect(wires).toContainEqual({ style: 'wire sync', title: expect.stringMatching(/^Order: number, placedAt, lines, total \(store → xero; owner → follower/), start: false });
    expect(wires).toContainEqual({ style: 'wire read', title: expect.stringMatching(/^Order: invoice \(xero → store; read live/), start: false });
    const labels = await page
      .locator('svg.diagram g.wire-label')
      .evaluateAll((groups) => groups.map((group) => [...group.querySelectorAll('text')].map((text) => text.textContent).join('\n')));
    expect(labels).toContain('Shipment\nstatus, trackingNumber');
    expect(labels).toContain('Customer\nemail, name, phone');

    // The matrix row a client asks about first.
    const email = page.locator('table.matrix tr[data-field="Customer.email"]');
    expect((await email.locator('td').allInnerTexts()).map((cell) => cell.trim())).toEqual([
      'email',
      'store',
      'crm, erp',
      'owner → followers',
      'owner wins',
    ]);
    expect(await page.locator('table.matrix tr[data-field="Order.status"] td').allInnerTexts()).toEqual([
      'status',
      'store',
      'erp',
      'bidirectional',
      'latest timestamp wins, with audit',
    ]);

    const screenshot = path.join(out, 'integration-map.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect((await stat(screenshot)).size).toBeGreaterThan(20_000);

    // The page itself is the only thing the browser loaded: no font, no stylesheet, no script, no image.
    expect(requested).toEqual([url]);
    await page.close();
    passed = true;
  }, 60_000);
});
