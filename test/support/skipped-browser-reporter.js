/**
 * A jest reporter that ends a run without Chromium with one line: which browser tests did not run, and how to get
 * them. It finds them by the mark describeInBrowser (test/support/browser.ts) puts on the suites it skips. With
 * CI=true nothing is skipped: a missing Chromium fails those suites instead (locateChromium throws).
 */
'use strict';
const path = require('node:path');

const NEEDS_CHROMIUM = '[needs Chromium]';

class SkippedBrowserReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const files = new Map();
    for (const file of results.testResults) {
      const skipped = file.testResults.filter((test) => test.status === 'pending' && test.ancestorTitles.some((title) => title.endsWith(NEEDS_CHROMIUM)));
      if (skipped.length) files.set(path.relative(this.rootDir, file.testFilePath), skipped.length);
    }
    if (!files.size) return;
    const total = [...files.values()].reduce((sum, count) => sum + count, 0);
    const where = process.env.PLUGBOARD_CHROMIUM || '/usr/bin/chromium';
    process.stderr.write(
      `Chromium is not at ${where}: ${total} browser test${total === 1 ? "" : "s"} did not run (${[...files].map(([file, count]) => `${file} ${count}`).join(', ')}); ` +
        'get them with `apt-get install -y chromium` (or PLUGBOARD_CHROMIUM=/path/to/chromium).\n',
    );
  }
}

module.exports = SkippedBrowserReporter;
