import { auditServer } from 'graphql-http';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The GraphQL-over-HTTP spec's audit (graphql-http's `auditServer`) against the running gateway: every MUST passes.
 * The SHOULDs and MAYs it does not meet are printed, so a change in them shows up in the test's output.
 */
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

it('passes every MUST of the GraphQL-over-HTTP audit', async () => {
  const results = await auditServer({ url: stack.gateway.url, fetchFn: fetch });
  const explain = (result: (typeof results)[number]) => `${result.name}: ${'reason' in result ? result.reason : ''}`;
  const failedMusts = results.filter((result) => result.status === 'error');
  const notMet = results.filter((result) => result.status === 'warn').map(explain);
  process.stdout.write(`graphql-http audit: ${results.length} checks, ${results.filter((result) => result.status === 'ok').length} ok; SHOULD/MAY not met:\n  ${notMet.join('\n  ')}\n`);
  expect(results.length).toBeGreaterThan(30);
  expect(failedMusts.map(explain)).toEqual([]);
});
