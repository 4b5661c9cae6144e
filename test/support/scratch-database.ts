import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../src/db';

/** A database of its own on the test server for one stack (startStack takes no schema), dropped afterwards. */
export async function scratchDatabase(serverUrl: string, label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `plugboard_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  let admin: Database;
  try {
    admin = await openDatabase(serverUrl, { poolSize: 1 });
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable, so these tests cannot run on it (CI=true requires it): ${(error as Error).message}`);
  }
  await admin.orm.em.getConnection().execute(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      try {
        await admin.orm.em.getConnection().execute(`drop database if exists "${name}" with (force)`);
      } finally {
        await admin.close();
      }
    },
  };
}

/**
 * Polls until `accept` holds, or fails naming what never happened and the last value seen. `timeoutMs` only bounds how
 * long a broken build takes to fail, never how fast the product must be: a busy machine may take many times longer.
 * @default timeoutMs 20_000
 */
export async function eventually<T>(what: string, probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; last seen ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
