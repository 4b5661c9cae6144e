/** One compiler for our TypeScript and for ES-module-only dependencies (jose): @swc/jest, CommonJS out. */
const SWC = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/src', '<rootDir>/subgraphs'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // jose ships only as ES modules: jest compiles it with the same options as our own files.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  transform: {
    '^.+\\.ts$': SWC,
    '/node_modules/jose/.+\\.js$': SWC,
  },
  // Two workers on our 2-core machines: most of a test's time is spent waiting on sockets, child processes and
  // databases, so two files at a time keep both cores busy (one worker, jest's default on 2 cores, leaves half the
  // suite's wall time idle). More than two only adds contention. See docs/testing.md.
  maxWorkers: 2,
  // A worker that grew past this (the fuzz test's heap, a stack's caches) is replaced before its next file, so later
  // files do not pay for an earlier file's garbage.
  workerIdleMemoryLimit: '1GB',
  // Only how long a hung test takes to fail, never a speed requirement: a busy machine may be several times slower.
  testTimeout: 60000,
  // Without Chromium (and outside CI), the run ends with one line naming the browser tests that did not run.
  reporters: ['default', '<rootDir>/test/support/skipped-browser-reporter.js'],
};
