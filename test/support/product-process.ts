import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import type { RunningSandbox } from '../../src/systems/kit/sandbox';

/**
 * A product process a test can kill -9 and start again, and the waits on what it says (test/e2e/crash.test.ts): each
 * wait is on an event (its output, a sandbox's answer, the product's own reply), never on a clock.
 */

const ROOT = path.join(__dirname, '..', '..');

/**
 * The product as `npm start` runs it (startStack, its in-process outbox worker), but on free ports and with the
 * estate's sandboxes outside it (PLUGBOARD_SANDBOXES=off, the *_URL variables): the sandboxes live in the test
 * process, so they outlive a kill -9 of the product. A crashed worker's claims are taken over after its lease (2 s).
 */
const PRODUCT_SCRIPT = `
require('./src/telemetry-off');
const { loadConfig } = require('./src/config');
const { startStack } = require('./src/runtime/start-stack');
(async () => {
  // Each outbox job's end is told on its own line: the test waits on these, not on a clock.
  const onJob = ({ job, outcome }) => console.log('JOB ' + outcome + ' ' + job.system + ' ' + job.operation);
  const stack = await startStack({ config: loadConfig(), ports: 'ephemeral', workerOptions: { leaseMs: 2000, pollMs: 100, onJob } });
  console.log('GATEWAY ' + stack.gateway.url);
  process.once('SIGTERM', () => stack.close().then(() => process.exit(0)));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

export interface Product {
  readonly process: ChildProcessWithoutNullStreams;
  readonly url: Promise<string>;
  readonly exited: Promise<number | null>;
  output: string;
  /** Told each piece of output as it arrives. */
  readonly onOutput: Set<(chunk: string) => void>;
}

/** Starts the product with `env` (its output collected, the gateway's URL read from it). */
export function startProductProcess(env: Record<string, string>): Product {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', PRODUCT_SCRIPT], { cwd: ROOT, env });
  let found: (url: string) => void = () => undefined;
  const product: Product = {
    process: child,
    output: '',
    url: new Promise((resolve) => (found = resolve)),
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    onOutput: new Set(),
  };
  const read = (chunk: Buffer) => {
    product.output += chunk.toString();
    for (const listener of product.onOutput) listener(product.output);
    const match = /GATEWAY (\S+)/.exec(product.output);
    if (match) found(match[1]!);
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  return product;
}

/** The gateway's URL once the product prints it; jest's timeout bounds a product that never does. */
export async function started(product: Product): Promise<string> {
  const exit = product.exited.then((code) => {
    throw new Error(`the product exited (${code}) before it started:\n${product.output.slice(-3_000)}`);
  });
  return Promise.race([product.url, exit]);
}

/** The answers that tell a client to send its request again later (docs/error-codes.md): the same key gets its receipt. */
const SEND_AGAIN = /DEADLINE_EXCEEDED|IDEMPOTENCY_KEY_IN_USE/;
/** More than a dead claim's lease (10 s) over the request deadline (9 s) ever needs. */
const SEND_AGAIN_TRIES = 5;

/**
 * Asks again while the product answers "send it again": a request resent just after a restart waits for the dead
 * process's claim to lapse (up to its 10 s lease), and past the 9 s request deadline the product answers 503
 * DEADLINE_EXCEEDED with Retry-After while the write goes on under its new claim; the next try waits on that claim and
 * gets the receipt. Each try waits on the product, not on a clock here. How soon the first try comes after the kill
 * depends on how fast the product restarts: on a fast machine it came early enough to pass the deadline in most runs.
 */
export async function whileToldToSendAgain<T>(ask: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await ask();
    } catch (error) {
      if (tries >= SEND_AGAIN_TRIES || !SEND_AGAIN.test(String(error))) throw error;
    }
  }
}

/**
 * Resolves once `holds()` answers true: asked now, then again after each outbox job the product reports ended (its
 * `JOB` lines), one check at a time. Rejects with the product's output if it exits first.
 */
export function afterEachJob(product: Product, holds: () => Promise<boolean>): Promise<void> {
  return new Promise((resolve, reject) => {
    let jobsSeen = -1;
    let checking = false;
    let settled = false;
    const jobsIn = (output: string) => output.match(/^JOB /gm)?.length ?? 0;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      product.onOutput.delete(check);
      if (error) reject(error);
      else resolve();
    };
    const check = (output: string) => {
      if (checking || settled || jobsIn(output) === jobsSeen) return;
      checking = true;
      jobsSeen = jobsIn(output);
      holds().then(
        (done) => {
          checking = false;
          if (done) return finish();
          // A job that ended while this check ran is checked for now.
          check(product.output);
        },
        (error: unknown) => finish(error),
      );
    };
    product.onOutput.add(check);
    void product.exited.then((code) => finish(new Error(`the product exited (${code}) while the test waited on its outbox:\n${product.output.slice(-3_000)}`)));
    check(product.output);
  });
}

/** Resolves once `holds()` is true: checked now, then after each request the sandbox answers (what changes its records). */
export function untilAnswered(sandbox: RunningSandbox, holds: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (holds()) return resolve();
    const stop = sandbox.stats.onAnswer(() => {
      if (!holds()) return;
      stop();
      resolve();
    });
  });
}
