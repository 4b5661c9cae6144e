import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';

/**
 * Prism 5.14.2 (from node_modules, on 127.0.0.1 only) serving a vendor's description with `--errors`: a request
 * outside the description is refused (the operation's 400, else Prism's own 422) and an answer outside it becomes a
 * 500. A mock no one here wrote, for the adapters' contract cases a stateless mock can answer.
 */

const PRISM = path.join(PROJECT_ROOT, 'node_modules/@stoplight/prism-cli/dist/index.js');

export interface RunningPrism {
  readonly url: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Writes the description (as the test prepared it) to a scratch folder, starts Prism on it and resolves when Prism
 * says it listens; rejects (failing the suite, also with CI=true) when Prism exits first.
 */
export async function startPrism(name: string, description: object): Promise<RunningPrism> {
  const dir = mkdtempSync(path.join(tmpdir(), 'plugboard-prism-'));
  const specFile = path.join(dir, `${name}.prism.json`);
  writeFileSync(specFile, JSON.stringify(description));
  const port = await freePort();
  const child = spawn(process.execPath, [PRISM, 'mock', '-h', '127.0.0.1', '-p', String(port), '--errors', specFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await listening(child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, close: stop };
}

function listening(child: ChildProcess): Promise<void> {
  let output = '';
  return new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes('Prism is listening')) resolve();
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`Prism exited (${String(code)}) before listening:\n${output.slice(-2000)}`)));
  });
}

/** Every node of a description, depth first, for the small repairs a test makes to its copy. */
export function visitDescription(node: unknown, visit: (schema: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) return node.forEach((item) => visitDescription(item, visit));
  if (node === null || typeof node !== 'object') return;
  visit(node as Record<string, unknown>);
  Object.values(node).forEach((inner) => visitDescription(inner, visit));
}

/**
 * Prism 5.14.2 does not validate a request body whose schema is recursive (Xero's Invoice reaches Payment, which
 * reaches Invoice again): it lets any body through, `{"Invoices": "x"}` included, with "The request passed the
 * validation rules". Each `$ref` that closes a cycle (found depth first from every component schema) becomes an
 * unconstrained schema in Prism's copy, so that everything above it is validated. Returns the edges cut, `A->B`.
 * Prism's own copy only: the project's checks (the spec kit) follow the cycles.
 */
export function cutRecursion(description: { paths?: unknown; components?: { schemas?: Record<string, unknown> } }): string[] {
  const schemas = description.components?.schemas ?? {};
  const PREFIX = '#/components/schemas/';
  const state = new Map<string, 'active' | 'done'>();
  const cut: string[] = [];
  const refsIn = (node: unknown): Record<string, unknown>[] => {
    const found: Record<string, unknown>[] = [];
    visitDescription(node, (schema) => {
      if (typeof schema['$ref'] === 'string' && schema['$ref'].startsWith(PREFIX)) found.push(schema);
    });
    return found;
  };
  const walk = (name: string): void => {
    state.set(name, 'active');
    for (const ref of refsIn(schemas[name])) {
      const target = (ref['$ref'] as string).slice(PREFIX.length);
      if (state.get(target) === 'active') {
        cut.push(`${name}->${target}`);
        delete ref['$ref'];
      } else if (!state.has(target)) walk(target);
    }
    state.set(name, 'done');
  };
  // From the operations' own schemas first, so that the cuts fall as deep below them as the cycles allow.
  const roots = refsIn(description.paths).map((ref) => (ref['$ref'] as string).slice(PREFIX.length));
  for (const name of [...roots, ...Object.keys(schemas)]) if (!state.has(name)) walk(name);
  return cut;
}
