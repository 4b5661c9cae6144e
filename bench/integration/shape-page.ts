import '../kit/guard';
import { readFileSync } from 'node:fs';
import type { Operation } from '@apollo/federation-internals';
import { shapeCompiled, shaperOf } from '../../src/gateway/compiled-shaping';
import { median } from '../kit/stats';
import { runTool, withPageToolStack } from './page-tool';
import { ORDERS_PAGE } from './probe';

type ShapeArguments = Parameters<typeof shapeCompiled>[2] & { readonly operation: Operation };
type ComputeResponse = ((args: ShapeArguments) => { data: unknown }) & { original?: (args: ShapeArguments) => { data: unknown } };

/**
 * `node dist/bench/integration/shape-page.js [rounds]`: the gateway's result shaping of the orders page, Apollo's walk
 * (`computeResponse`) against the compiled one (src/gateway/compiled-shaping.ts), on the very data the gateway merged
 * for an uncached page of 100 orders (part b's stack, the product on CPU 1). Prints, per round of 300 walks, the ms of
 * one walk, and of a walk and its JSON (the response cache keeps the answer as JSON). A tool for one change, not part
 * of `npm run bench`: the walk is a millisecond of a page whose CPU moves by ten between runs.
 */
async function main(): Promise<void> {
  const rounds = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 5);
  await withPageToolStack({ responseCache: false }, async ({ probe }) => {
    const shaping = require('@apollo/gateway/dist/resultShaping') as { computeResponse: ComputeResponse };
    const installed = shaping.computeResponse;
    const apollo = installed.original;
    if (!apollo) throw new Error('the gateway did not install the compiled result shaping');
    let captured: ShapeArguments | undefined;
    shaping.computeResponse = (args) => {
      captured = args;
      return installed(args);
    };
    try {
      // The document's first request builds its operation; from the second on, it is kept with its compiled tree.
      for (let page = 0; page < 20; page += 1) {
        await probe.dropCaches();
        await probe.query(ORDERS_PAGE, { first: 100, after: null });
      }
    } finally {
      shaping.computeResponse = installed;
    }
    const args = captured!;
    const shaper = shaperOf(args.operation);
    if (!shaper) throw new Error('the orders page has no compiled tree');
    const compiled = (one: ShapeArguments) => shapeCompiled(shaper, one.operation, one);
    const json = (walk: (one: ShapeArguments) => { data: unknown }) => JSON.stringify(walk(args).data);
    if (json(apollo) !== json(compiled)) throw new Error('the two walks answered the page differently');
    const time = (run: () => unknown): number => {
      for (let warm = 0; warm < 50; warm += 1) run();
      const started = process.hrtime.bigint();
      for (let walk = 0; walk < 300; walk += 1) run();
      return Number(process.hrtime.bigint() - started) / 300 / 1e6;
    };
    const figures = { apollo: [] as number[], compiled: [] as number[], apolloJson: [] as number[], compiledJson: [] as number[] };
    for (let round = 0; round < rounds; round += 1) {
      figures.apollo.push(time(() => apollo(args)));
      figures.compiled.push(time(() => compiled(args)));
      figures.apolloJson.push(time(() => json(apollo)));
      figures.compiledJson.push(time(() => json(compiled)));
    }
    const show = (values: number[]) => `${median(values).toFixed(2)} ms (${values.map((value) => value.toFixed(2)).join(', ')})`;
    const bytes = Buffer.byteLength(json(compiled));
    const version = (JSON.parse(readFileSync(require.resolve('@apollo/gateway/package.json'), 'utf8')) as { version: string }).version;
    process.stdout.write(
      `the orders page (${(bytes / 1024).toFixed(0)} KB of JSON), medians of ${rounds} rounds of 300 walks, @apollo/gateway ${version}\n` +
        `  Apollo's computeResponse      ${show(figures.apollo)}\n` +
        `  compiled                      ${show(figures.compiled)}\n` +
        `  Apollo's, then JSON.stringify ${show(figures.apolloJson)}\n` +
        `  compiled, then JSON.stringify ${show(figures.compiledJson)}\n`,
    );
  });
}

runTool(main);
