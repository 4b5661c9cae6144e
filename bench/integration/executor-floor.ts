import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, execute, parse, validate, type ExecutionResult } from 'graphql';
import { PROJECT_ROOT } from '../../src/project-root';
import { median } from '../kit/stats';

/**
 * What GraphQL execution alone costs for a page: the page's operation run by graphql-js against the client-facing
 * schema (schema/api.graphql) over the page's own answer, held in memory. No system, subgraph, gateway, cache or
 * HTTP is involved, so no engine built on graphql-js can serve the page for less.
 */
export interface ExecutorFloor {
  /** Every field a plain property (graphql-js's default resolver): execution and JSON only. */
  readonly syncMs: number;
  /**
   * Every object and list of objects behind a promise, as resolvers that wait on a loader give them: the least an
   * engine pays whose resolvers batch their reads.
   */
  readonly promisedMs: number;
  /** Size of the answer as JSON. */
  readonly answerBytes: number;
}

const WARM_UP_RUNS = 100;
const TIMED_RUNS = 200;

/** Times `runs` executions of the operation over `root`, each turned into JSON as a server would send it. */
async function timeExecutions(run: () => Promise<ExecutionResult> | ExecutionResult, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const started = performance.now();
    const result = await run();
    if (result.errors?.length) throw new Error(`executor floor: ${result.errors[0]!.message}`);
    JSON.stringify(result);
    times.push(performance.now() - started);
  }
  return times;
}

/** The same data with each object and list of objects handed out by a function answering a promise. */
function promised(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(promised);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const inner = promised(field);
    out[key] = field !== null && typeof field === 'object' ? () => Promise.resolve(inner) : inner;
  }
  return out;
}

export async function measureExecutorFloor(operation: string, variables: Record<string, unknown>, answer: Record<string, unknown>): Promise<ExecutorFloor> {
  const schema = buildSchema(readFileSync(path.join(PROJECT_ROOT, 'schema', 'api.graphql'), 'utf8'));
  const document = parse(operation);
  const invalid = validate(schema, document);
  if (invalid.length) throw new Error(`executor floor: ${invalid[0]!.message}`);
  const asPromised = promised(answer);
  const sync = () => execute({ schema, document, rootValue: answer, variableValues: variables });
  const withPromises = () => execute({ schema, document, rootValue: asPromised, variableValues: variables });
  // Both warmed up first, then timed in alternation, so that a slow moment of the machine costs both alike.
  await timeExecutions(sync, WARM_UP_RUNS);
  await timeExecutions(withPromises, WARM_UP_RUNS);
  const syncTimes: number[] = [];
  const promisedTimes: number[] = [];
  for (let round = 0; round < 4; round += 1) {
    syncTimes.push(...(await timeExecutions(sync, TIMED_RUNS / 4)));
    promisedTimes.push(...(await timeExecutions(withPromises, TIMED_RUNS / 4)));
  }
  return { syncMs: median(syncTimes), promisedMs: median(promisedTimes), answerBytes: JSON.stringify({ data: answer }).length };
}
