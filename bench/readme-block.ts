/**
 * The README carries issue 19's targets from the last full `npm run bench`: the run writes bench/RESULTS.md and this
 * block of README.md from the same report, and test/unit/readme.test.ts holds the two to each other.
 */
export const README_BENCH_START = '<!-- bench: written by `npm run bench` from its last full run; do not edit by hand -->';
export const README_BENCH_END = '<!-- /bench -->';

const TARGETS_HEADING = '## Targets (issue 19)';

/** The run's command line ("`npm run bench` — <when>, <seconds> s") and issue 19's targets table, from RESULTS.md. */
function partsOf(results: string): { when: string; table: string } {
  const when = /^Command: `npm run bench` — (\S+), (\d+) s$/m.exec(results);
  const start = results.indexOf(TARGETS_HEADING);
  if (!when || start < 0) throw new Error('bench/RESULTS.md has no command line or no issue-19 targets: run `npm run bench`');
  const lines = results.slice(start + TARGETS_HEADING.length).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rest = lines.slice(first);
  const table = rest.slice(0, rest.findIndex((line) => !line.startsWith('|'))).join('\n');
  return { when: `${when[1]!.slice(0, 10)}, ${when[2]} s`, table };
}

/** README.md with its benchmark block made from bench/RESULTS.md's text. */
export function withBenchBlock(readme: string, results: string): string {
  const start = readme.indexOf(README_BENCH_START);
  const end = readme.indexOf(README_BENCH_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the benchmark block (${README_BENCH_START} ... ${README_BENCH_END})`);
  const { when, table } = partsOf(results);
  const block = [
    README_BENCH_START,
    `Issue 19's targets as the last full \`npm run bench\` measured them (${when}, on a 2-core machine); every figure and`,
    'how it is measured: [bench/RESULTS.md](bench/RESULTS.md) and [docs/benchmark.md](docs/benchmark.md).',
    '',
    table,
    README_BENCH_END,
  ].join('\n');
  return readme.slice(0, start) + block + readme.slice(end + README_BENCH_END.length);
}
