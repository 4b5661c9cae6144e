import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { SYSTEMS } from '../../src/estate/systems';
import { startStack, type RunningStack } from '../../src/runtime/start-stack';

/**
 * Every command in the README and in docs/ runs as printed (issue 16: both of the README's first examples once failed
 * with MALFORMED_REQUEST). Each ```sh block is run with bash (`-e -o pipefail`, so every command in it must succeed),
 * in order, against the product started here as `npm start` starts it, and must exit 0 with no GraphQL `errors` in
 * what it printed.
 *
 * The product runs on free ports, not the documented ones (another copy may hold those): the documented URLs in a block
 * are rewritten to where each part runs (the gateway's 4000, each sandbox's 41xx). A block sees the environment a
 * reader has after following the text: `PLUGBOARD_DATA_DIR` (the product's data folder, for the CLIs that open its
 * database) and `ADMIN` (the admin token `npm start` prints).
 *
 * A block that cannot run here is marked on the line above it with
 * `<!-- not run by test/e2e/readme-commands.test.ts: <why> -->` and is listed as skipped with its reason: the quick
 * start's `npm ci && npm start` and `npm test` (this test runs after them, on a product it started itself, and inside
 * `npm test`), servers that run until Ctrl-C, and a command whose documented answer is a refusal with exit 1.
 */
const ROOT = path.join(__dirname, '..', '..');
const SKIP_MARK = /^<!-- not run by test\/e2e\/readme-commands\.test\.ts: (.+) -->$/;
const FENCE = /^```(sh|bash|shell)\s*$/;

interface ShellBlock {
  readonly where: string;
  readonly text: string;
  /** Why it is not run, from its marker. */
  readonly skipped?: string;
}

function shellBlocks(file: string, markdown: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const blocks: ShellBlock[] = [];
  for (let at = 0; at < lines.length; at += 1) {
    if (!FENCE.test(lines[at] ?? '')) continue;
    const end = lines.findIndex((line, index) => index > at && line.startsWith('```'));
    const marker = SKIP_MARK.exec(lines[at - 1] ?? '');
    blocks.push({
      where: `${file}:${at + 1}`,
      text: lines.slice(at + 1, end).join('\n'),
      ...(marker ? { skipped: marker[1] } : {}),
    });
    at = end;
  }
  return blocks;
}

/** README.md first, then docs/ in name order: the order a reader meets them, and the order they run in. */
function documentedBlocks(): ShellBlock[] {
  const docs = readdirSync(path.join(ROOT, 'docs')).filter((file) => file.endsWith('.md')).sort();
  return ['README.md', ...docs.map((file) => `docs/${file}`)].flatMap((file) => shellBlocks(file, readFileSync(path.join(ROOT, file), 'utf8')));
}

/** Runs a block as a reader pastes it into bash; answers its exit code and what it printed. */
function runBlock(text: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', text], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Read when the file loads: jest names one test per block.
const blocks = documentedBlocks();
const LOCAL_URL = /https?:\/\/127\.0\.0\.1:\d+/g;
const LONG_RUNNING = /\bnpm (ci|test|start)\b|\bnpm run (sandboxes|subgraph|gateway|worker|bench)\b/;

describe('the commands of the README and docs/', () => {
  let stack: RunningStack;
  let dataDir: string;
  /** The documented origins, each with where that part runs here. */
  let origins: [string, string][];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'plugboard-readme-'));
    const config = loadConfig({ PLUGBOARD_DATA_DIR: dataDir, PLUGBOARD_ADMIN_TOKEN: 'readme-admin-token-0123456789', PLUGBOARD_LOG_LEVEL: 'silent' });
    stack = await startStack({ config, ports: 'ephemeral' });
    const sandboxes = stack.parts.filter((part) => part.part === 'sandbox');
    origins = [[`http://127.0.0.1:${config.PORT}`, new URL(stack.gateway.url).origin]];
    for (const system of SYSTEMS) {
      const running = sandboxes.find((part) => part.name === system.name);
      if (system.sandboxPort === undefined || !running) continue;
      const here = new URL(running.url);
      origins.push([`${here.protocol}//127.0.0.1:${system.sandboxPort}`, here.origin]);
    }
  }, 90_000);

  afterAll(async () => {
    await stack?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('finds the README\'s first query and first mutation among the blocks it runs', () => {
    const readme = blocks.filter((block) => block.where.startsWith('README.md:') && block.skipped === undefined);
    expect(readme.some((block) => /customers\(first/.test(block.text))).toBe(true);
    expect(readme.some((block) => /placeOrder/.test(block.text))).toBe(true);
  });

  for (const block of blocks) {
    if (block.skipped !== undefined) {
      it.skip(`${block.where} (not run: ${block.skipped})`, () => undefined);
      continue;
    }
    it(`${block.where} runs as printed: exit 0, no GraphQL errors`, async () => {
      // These would install, run this very suite, or start a server that runs until Ctrl-C on the documented ports:
      // such a block must carry a marker instead (failing here at once, rather than hanging until the timeout).
      expect([block.where, LONG_RUNNING.test(block.text)]).toEqual([block.where, false]);
      let text = block.text;
      for (const [documented, here] of origins) text = text.split(documented).join(here);
      const elsewhere = (text.match(LOCAL_URL) ?? []).filter((url) => !origins.some(([, here]) => here === url));
      expect(elsewhere).toEqual([]);
      const { code, stdout, stderr } = await runBlock(text, { ...process.env, PLUGBOARD_DATA_DIR: dataDir, ADMIN: stack.adminToken });
      expect({ where: block.where, code, stderr: code === 0 ? '' : stderr, stdout: code === 0 ? '' : stdout }).toEqual({ where: block.where, code: 0, stderr: '', stdout: '' });
      expect(stdout).not.toMatch(/"errors"\s*:/);
    }, 120_000);
  }
});
