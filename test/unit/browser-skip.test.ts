import path from 'node:path';
import { locateChromium, NEEDS_CHROMIUM } from '../support/browser';

const SkippedBrowserReporter = require('../support/skipped-browser-reporter.js') as new (config: { rootDir: string }) => {
  onRunComplete(contexts: unknown, results: unknown): void;
};

/**
 * Without Chromium a developer's run says, in one line at the end, which browser tests did not run and how to get
 * them; in CI a missing Chromium fails the browser suites instead of skipping them.
 */

const ROOT = path.join(__dirname, '..', '..');
const MISSING = '/nonexistent/chromium';

type Test = { status: string; ancestorTitles: string[] };
const file = (name: string, tests: Test[]) => ({ testFilePath: path.join(ROOT, name), testResults: tests });
const browserTest = (suite: string): Test => ({ status: 'pending', ancestorTitles: [`${suite} ${NEEDS_CHROMIUM}`] });

function reported(files: ReturnType<typeof file>[]): string[] {
  const written: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    new SkippedBrowserReporter({ rootDir: ROOT }).onRunComplete(new Set(), { testResults: files });
  } finally {
    spy.mockRestore();
  }
  return written;
}

describe('a missing Chromium', () => {
  it('fails with CI=true, naming the package to install', () => {
    expect(() => locateChromium({ CI: 'true', PLUGBOARD_CHROMIUM: MISSING })).toThrow(/apt-get install -y chromium/);
  });

  it('is only a skip outside CI', () => {
    expect(locateChromium({ PLUGBOARD_CHROMIUM: MISSING })).toBeUndefined();
  });

  it('ends the run with one line naming each file\'s browser tests that did not run and how to get them', () => {
    const lines = reported([
      file('test/e2e/explorer.test.ts', [browserTest('the explorer'), browserTest('the explorer'), { status: 'passed', ancestorTitles: ['the explorer page'] }]),
      file('test/e2e/money.test.ts', [{ status: 'passed', ancestorTitles: [] }, { status: 'pending', ancestorTitles: ['skipped for another reason'] }]),
      file('test/e2e/map-page.test.ts', [browserTest('the map')]),
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Chromium is not at \S+: 3 browser tests did not run \(test\/e2e\/explorer\.test\.ts 2, test\/e2e\/map-page\.test\.ts 1\); get them with `apt-get install -y chromium`/);
    expect(lines[0]!.trimEnd().split('\n')).toHaveLength(1);
  });

  it('says nothing when every browser test ran', () => {
    expect(reported([file('test/e2e/explorer.test.ts', [{ status: 'passed', ancestorTitles: ['the explorer'] }])])).toEqual([]);
  });
});
