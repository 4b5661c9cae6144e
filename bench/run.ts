import './kit/guard';
import { readFileSync, writeFileSync } from 'node:fs';
import { withBenchBlock } from './readme-block';
import os from 'node:os';
import path from 'node:path';
import { pinSelf, startChild } from './kit/child';
import { runFederation } from './federation/run-federation';
import { profileGateway } from './federation/profile';
import type { IntegrationReport } from './integration/run-integration';
import { runWrites } from './integration/run-writes';
import { checkTargets, renderReport, type BenchResults, type BenchSettings } from './report';
import { checkOverload, runOverload } from './overload/run-overload';
import { checkIssue19 } from './report-issue-19';
import { PROJECT_ROOT } from '../src/project-root';

/**
 * `npm run bench [-- --quick] [-- --only federation,integration,writes,overload] [-- --no-profile]`: issue 7's
 * benchmark and issue 15's overload part, every part in one run, printed as tables; a full run also writes
 * bench/RESULTS.md.
 */

const PARTS = ['federation', 'integration', 'writes', 'overload'] as const;
type Part = (typeof PARTS)[number];

const FULL: BenchSettings = {
  quick: false,
  federation: { rounds: 5, identicalRounds: 2, firstWarmupSeconds: 6, warmupSeconds: 1.5, seconds: 4, connections: 32 },
  integration: { uncachedSamples: 100, cachedSamples: 30, openSeconds: 4, realisticPages: 15, warmUpSeconds: 20 },
  writes: { seconds: 5, concurrency: 8 },
  overload: { clients: 200, seconds: 30, slowSystem: 'erp', slowDelayMs: 3_000 },
  profileSeconds: 4,
};

const QUICK: BenchSettings = {
  quick: true,
  federation: { rounds: 1, identicalRounds: 1, firstWarmupSeconds: 1, warmupSeconds: 0.5, seconds: 1.5, connections: 32 },
  integration: { uncachedSamples: 6, cachedSamples: 6, openSeconds: 1.5, realisticPages: 3, warmUpSeconds: 0 },
  writes: { seconds: 1.5, concurrency: 8 },
  overload: { clients: 200, seconds: 5, slowSystem: 'erp', slowDelayMs: 3_000 },
  profileSeconds: 0,
};

const RESULTS_FILE = path.join(PROJECT_ROOT, 'bench', 'RESULTS.md');
const README_FILE = path.join(PROJECT_ROOT, 'README.md');
const VERSIONED = ['@apollo/gateway', '@apollo/server', '@graphql-hive/gateway', '@graphql-hive/gateway-runtime', 'graphql', 'fastify', 'undici', 'autocannon'];

const USAGE = `npm run bench [-- --quick] [-- --only ${PARTS.join(',')}] [-- --no-profile]
  --quick       fewer and shorter rounds (a look, not a result: RESULTS.md and the README are left as they are)
  --only PARTS  these parts only (comma-separated); without it, every part (about 10 minutes)
  --no-profile  no CPU profile of the gateway after the federation part`;

/** What the command line asked for; an argument it does not know prints the usage instead of starting a 10-minute run. */
function parseArguments(argv: readonly string[]): { settings: BenchSettings; parts: Part[]; profile: boolean } | { usage: string; exitCode: number } {
  if (argv.includes('--help') || argv.includes('-h')) return { usage: USAGE, exitCode: 0 };
  const only = argv.find((argument) => argument.startsWith('--only'));
  const onlyValue = only && !only.includes('=') ? argv[argv.indexOf(only) + 1] : undefined;
  const unknown = argv.filter((argument) => argument !== onlyValue && !['--quick', '--no-profile', '--only'].includes(argument) && !argument.startsWith('--only='));
  if (unknown.length > 0) return { usage: `unknown argument ${unknown.join(' ')}\n${USAGE}`, exitCode: 2 };
  const quick = argv.includes('--quick');
  const value = only?.includes('=') ? only.split('=')[1] : onlyValue;
  const parts = value ? value.split(',').map((part) => part.trim()) : [...PARTS];
  for (const part of parts) if (!PARTS.includes(part as Part)) throw new Error(`--only takes ${PARTS.join(', ')}; "${part}" is none of them`);
  const settings = quick ? QUICK : FULL;
  return { settings, parts: parts as Part[], profile: !quick && !argv.includes('--no-profile') && parts.includes('federation') };
}

function versionOf(name: string): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const parsed = parseArguments(argv);
  if ('usage' in parsed) {
    (parsed.exitCode === 0 ? process.stdout : process.stderr).write(`${parsed.usage}\n`);
    process.exitCode = parsed.exitCode;
    return;
  }
  const { settings, parts, profile } = parsed;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const startedAt = new Date();
  const results: { -readonly [K in keyof BenchResults]: BenchResults[K] } = {
    command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
    startedAt,
    durationSeconds: 0,
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, os: `${os.type()} ${os.release()}` },
    versions: Object.fromEntries(VERSIONED.map((name) => [name, versionOf(name)])),
    settings,
  };

  if (parts.includes('federation')) {
    log('a. federation overhead');
    // This process runs the load generator: it stays beside the subgraphs, away from the gateway's core.
    pinSelf('0');
    results.federation = await runFederation(settings.federation, log);
    if (profile) {
      log('profile of our gateway under load');
      results.profile = await profileGateway('ours', settings.profileSeconds, settings.federation.connections);
    }
    pinSelf('0,1');
  }
  if (parts.includes('integration')) {
    log('b. integration workload, c. failure path');
    // In a process of its own (integration/integration-process.ts): the product's heap holds nothing of the benchmark.
    // Its node runs with V8's default heap limits, as every part b figure was measured since issue 19's starting point
    // (87 ms a page), so that the ratios against it compare like with like. `npm start`'s heap policy trades CPU for
    // memory on this workload (docs/install.md, "Heap policy": PLUGBOARD_HEAP_MB=384 against V8's limit, part b alone,
    // 37.2 and 41.8 against 32.2 and 32.7 ms of CPU a page).
    const part = await startChild('integration/integration-process.ts', { cpus: '0,1' });
    try {
      results.integration = await part.call<IntegrationReport>('run', settings.integration);
    } finally {
      await part.stop();
    }
  }
  if (parts.includes('writes')) {
    log('d. write path');
    const writes = [];
    for (const database of ['SQLite', 'PostgreSQL'] as const) {
      writes.push(await runWrites(database, settings.writes));
      log(`  ${database}: done`);
    }
    results.writes = writes;
  }
  if (parts.includes('overload')) {
    log('e. overload');
    results.overload = await runOverload(settings.overload, log);
  }
  results.durationSeconds = (Date.now() - startedAt.getTime()) / 1_000;

  const report = renderReport(results);
  log('');
  log(report);
  if (!settings.quick && parts.length === PARTS.length) {
    const results = `# Benchmark results (issue 7)\n\nWritten by \`npm run bench\` from its last full run.\n\n${report}\n`;
    writeFileSync(RESULTS_FILE, results);
    writeFileSync(README_FILE, withBenchBlock(readFileSync(README_FILE, 'utf8'), results));
    log(`written: ${path.relative(process.cwd(), RESULTS_FILE)}, and its issue-19 targets in ${path.relative(process.cwd(), README_FILE)}`);
  }
  const missed = [...checkTargets(results), ...(results.overload ? checkOverload(results.overload) : []), ...checkIssue19(results)].filter((check) => !check.met);
  if (missed.length) log(`targets missed: ${missed.length} (see the table above)`);
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
