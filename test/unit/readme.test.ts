import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { withBenchBlock } from '../../bench/readme-block';
import { CONFIG_KEYS } from '../../src/config';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const readme = read('README.md');
const ciRun = read('.ci/run');
const docs = readdirSync(path.join(ROOT, 'docs')).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`);

/** The relative link targets of a Markdown file, as paths from the project root (anchors dropped). */
function relativeLinks(file: string): string[] {
  const targets = [...read(file).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
  return targets
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'))
    .map((target) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), target.replace(/#.*$/, ''))));
}

describe('README, the front door', () => {
  it('gives the two commands, and CI runs exactly the test one after npm ci', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
    expect(ciRun).toMatch(/^npm ci\b/m);
    expect(ciRun.trimEnd().split('\n').at(-1)).toBe('npm test');
    expect(ciRun).toContain('APOLLO_TELEMETRY_DISABLED=true');
  });

  it('stays a front door: about 200 lines, the reference in docs/', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(210);
  });

  it("carries issue 19's targets from the last full benchmark, as bench/RESULTS.md has them", () => {
    const results = readFileSync(path.join(ROOT, 'bench', 'RESULTS.md'), 'utf8');
    expect(readme).toBe(withBenchBlock(readme, results));
  });

  it('links only to files that exist, as does every page in docs/', () => {
    const broken = ['README.md', ...docs].flatMap((file) =>
      relativeLinks(file).filter((target) => !existsSync(path.join(ROOT, target))).map((target) => `${file} -> ${target}`),
    );
    expect(broken).toEqual([]);
  });

  it('names only paths that exist in its tree', () => {
    const tree = readme.slice(readme.indexOf('### The tree'), readme.indexOf('## ', readme.indexOf('### The tree') + 4));
    const paths = [...tree.matchAll(/^\| ([^|]+) \|/gm)].flatMap((row) => [...(row[1] ?? '').matchAll(/`([^`]+)`/g)].map((name) => name[1] ?? ''));
    expect(paths.length).toBeGreaterThan(10);
    const missing = paths
      .map((name) => name.replace(/<[^>]+>\/?$/, ''))
      .filter((name) => name !== 'dist/' && !existsSync(path.join(ROOT, name)));
    expect(missing).toEqual([]);
  });
});

describe('docs/, the reference', () => {
  it('documents every configuration variable (docs/configuration.md)', () => {
    const configuration = read('docs/configuration.md');
    const missing = Object.keys(CONFIG_KEYS).filter((key) => !configuration.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });

  it('documents every error code a system call can produce (docs/error-codes.md)', () => {
    const { INTEGRATION_ERROR_CODES } = jest.requireActual<typeof import('../../src/domain')>('../../src/domain');
    const codes = read('docs/error-codes.md');
    const missing = INTEGRATION_ERROR_CODES.filter((code) => !codes.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('is reachable from the README: every page in docs/ is linked from it', () => {
    const linked = new Set(relativeLinks('README.md'));
    expect(docs.filter((file) => !linked.has(file))).toEqual([]);
  });
});
