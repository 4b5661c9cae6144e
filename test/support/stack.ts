import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { startStack, type RunningStack, type StackOptions } from '../../src/runtime/start-stack';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestStack extends RunningStack {
  /** POSTs a GraphQL operation to the gateway and answers the parsed body. */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLBody<T>>;
}

export interface GraphQLBody<T> {
  readonly data?: T | null;
  readonly errors?: ReadonlyArray<{ message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }>;
}

/**
 * The whole product on free ports, with its own data directory (SQLite file, test PKI): what `npm start` runs,
 * started the same way.
 */
export async function startTestStack(
  env: Record<string, string> = {},
  options: Omit<StackOptions, 'config' | 'ports'> = {},
): Promise<TestStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'plugboard-stack-'));
  // The structured log stays quiet in tests (a line per system call would bury jest's report); a test that reads it
  // passes a logger of its own.
  const config = loadConfig({ PLUGBOARD_DATA_DIR: dataDir, PLUGBOARD_ADMIN_TOKEN: TEST_ADMIN_TOKEN, PLUGBOARD_LOG_LEVEL: 'silent', ...env });
  const stack = await startStack({ ...options, config, ports: 'ephemeral' });
  const close = async () => {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  return {
    ...stack,
    close,
    [Symbol.asyncDispose]: close,
    async query(query, variables) {
      const response = await fetch(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLBody<never>;
    },
  };
}
