import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_JWT_SECRET } from '../../src/auth';

/**
 * Production means production, as a user meets it: every entry point that serves (`npm start`, `npm run gateway`,
 * `npm run subgraph`, `npm run worker`), started with PLUGBOARD_PROFILE=production on the demo's published JWT secret,
 * exits 1 before it listens, saying why in one line. (Issue 15: such a start used to accept `npm run token` tokens
 * and apply adjustInventory.) The CLIs run from source, as `npm run token` does.
 */

const ROOT = path.resolve(__dirname, '..', '..');
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'plugboard-production-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs a CLI to its exit (killed, and reported as such, if it is still running after `limitMs`). */
function run(args: string[], env: Record<string, string>, limitMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, APOLLO_TELEMETRY_DISABLED: 'true', PLUGBOARD_DATA_DIR: dataDir, PLUGBOARD_LOG_LEVEL: 'silent', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('exit', (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr });
    });
  });
}

const REFUSAL = 'Plugboard did not start: PLUGBOARD_PROFILE=production needs PLUGBOARD_JWT_SECRET of its own (the demo secret is published)';

it('every entry point that serves refuses the demo secret in production: exit 1, one line, nothing served', async () => {
  const env = {
    PLUGBOARD_PROFILE: 'production',
    PLUGBOARD_JWT_SECRET: DEMO_JWT_SECRET,
    PLUGBOARD_ADMIN_TOKEN: 'an-admin-token-of-our-own-0123',
    PLUGBOARD_SUBGRAPH_SECRET: 'a-subgraph-secret-of-our-own-0123456789ab',
  };
  const entryPoints = [['src/cli/start.ts'], ['src/cli/gateway.ts'], ['src/cli/subgraph.ts', 'erp'], ['src/cli/worker.ts']];
  const results = await Promise.all(entryPoints.map((args) => run(args, env)));
  for (const [index, result] of results.entries()) {
    expect({ entryPoint: entryPoints[index]![0], code: result.code, stderr: result.stderr.trim(), stdout: result.stdout }).toEqual({
      entryPoint: entryPoints[index]![0],
      code: 1,
      stderr: REFUSAL,
      stdout: '',
    });
  }
}, 120_000);

it('npm start without PLUGBOARD_JWT_SECRET and without an admin token: both reasons on the one line', async () => {
  const result = await run(['src/cli/start.ts'], { PLUGBOARD_PROFILE: 'production' });
  expect(result.code).toBe(1);
  expect(result.stderr.trim()).toBe(
    'Plugboard did not start: PLUGBOARD_PROFILE=production needs PLUGBOARD_JWT_SECRET of its own (unset means the demo secret, which is published); ' +
      'and PLUGBOARD_ADMIN_TOKEN (the admin API and /metrics would have a token printed in the log)',
  );
}, 60_000);
