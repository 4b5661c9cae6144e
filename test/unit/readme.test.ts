import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_KEYS } from '../../src/config';

const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const ciRun = readFileSync(path.join(__dirname, '..', '..', '.ci', 'run'), 'utf8');

describe('README, the front door', () => {
  it('documents every configuration variable', () => {
    const missing = Object.keys(CONFIG_KEYS).filter((key) => !readme.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });

  it('documents every error code a system call can produce', () => {
    const { INTEGRATION_ERROR_CODES } = jest.requireActual<typeof import('../../src/domain')>('../../src/domain');
    const missing = INTEGRATION_ERROR_CODES.filter((code) => !readme.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('gives the two commands, and CI runs exactly the test one after npm ci', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
    expect(ciRun).toMatch(/^npm ci\b/m);
    expect(ciRun.trimEnd().split('\n').at(-1)).toBe('npm test');
    expect(ciRun).toContain('APOLLO_TELEMETRY_DISABLED=true');
  });
});
