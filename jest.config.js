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
  testTimeout: 30000,
};
