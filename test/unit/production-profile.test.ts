import { DEMO_JWT_SECRET } from '../../src/auth';
import { assertSafeToServe, loadConfig, startRefusal, UnsafeStartError, type ServingPart } from '../../src/config';

/**
 * "Production means production" (issue 15): PLUGBOARD_PROFILE=production refuses to start on unsafe settings, for
 * every part that serves, and says why in one line; what it opens by default, it opens only when asked.
 */

const OWN_SECRET = 'a-jwt-secret-of-our-own-0123456789abcdef';
const ADMIN = 'an-admin-token-of-our-own-0123';
const SUBGRAPH = 'a-subgraph-secret-of-our-own-0123456789ab';
const SAFE = { PLUGBOARD_PROFILE: 'production', PLUGBOARD_JWT_SECRET: OWN_SECRET, PLUGBOARD_ADMIN_TOKEN: ADMIN, PLUGBOARD_SUBGRAPH_SECRET: SUBGRAPH };
const PARTS: ServingPart[] = ['stack', 'gateway', 'subgraph', 'worker'];

const refusal = (env: Record<string, string | undefined>, part: ServingPart) => startRefusal(loadConfig(env as NodeJS.ProcessEnv), part);
const without = (key: keyof typeof SAFE): Record<string, string> => Object.fromEntries(Object.entries(SAFE).filter(([name]) => name !== key));

describe('production refuses to start', () => {
  it.each(PARTS)('%s: on the demo\'s published JWT secret, in one line that says why', (part) => {
    const line = refusal({ ...SAFE, PLUGBOARD_JWT_SECRET: DEMO_JWT_SECRET }, part);
    expect(line).toBe('Plugboard did not start: PLUGBOARD_PROFILE=production needs PLUGBOARD_JWT_SECRET of its own (the demo secret is published)');
  });

  it.each(PARTS)('%s: without a JWT secret (the demo one would be used)', (part) => {
    const line = refusal(without('PLUGBOARD_JWT_SECRET'), part);
    expect(line).toMatch(/^Plugboard did not start: PLUGBOARD_PROFILE=production needs PLUGBOARD_JWT_SECRET of its own \(unset means the demo secret/);
    expect(line).not.toContain('\n');
  });

  it.each(['stack', 'gateway'] as const)('%s (serves /admin): without an admin token', (part) => {
    expect(refusal(without('PLUGBOARD_ADMIN_TOKEN'), part)).toMatch(/^Plugboard did not start: PLUGBOARD_PROFILE=production needs PLUGBOARD_ADMIN_TOKEN \(/);
  });

  it.each(['gateway', 'subgraph'] as const)('%s: without a subgraph secret', (part) => {
    expect(refusal(without('PLUGBOARD_SUBGRAPH_SECRET'), part)).toMatch(/^Plugboard did not start: PLUGBOARD_PROFILE=production needs PLUGBOARD_SUBGRAPH_SECRET \(/);
  });

  it('npm start with subgraph calls over HTTP: without a subgraph secret; embedded, it needs none', () => {
    expect(refusal({ ...without('PLUGBOARD_SUBGRAPH_SECRET'), PLUGBOARD_SUBGRAPH_CALLS: 'http' }, 'stack')).toContain('PLUGBOARD_SUBGRAPH_SECRET');
    expect(refusal(without('PLUGBOARD_SUBGRAPH_SECRET'), 'stack')).toBeUndefined();
  });

  it('names every missing setting on the one line', () => {
    const line = refusal({ PLUGBOARD_PROFILE: 'production' }, 'gateway')!;
    expect(line.split('\n')).toHaveLength(1);
    for (const key of ['PLUGBOARD_JWT_SECRET', 'PLUGBOARD_ADMIN_TOKEN', 'PLUGBOARD_SUBGRAPH_SECRET']) expect(line).toContain(key);
  });

  it('assertSafeToServe throws the line as an UnsafeStartError (a ConfigError), before anything starts', () => {
    const config = loadConfig({ PLUGBOARD_PROFILE: 'production' });
    expect(() => assertSafeToServe(config, 'stack')).toThrow(UnsafeStartError);
    expect(() => assertSafeToServe(config, 'stack')).toThrow(/^Plugboard did not start: PLUGBOARD_PROFILE=production needs PLUGBOARD_JWT_SECRET/);
  });
});

describe('what production starts on', () => {
  it.each(PARTS)('%s: a secret of its own, an admin token and a subgraph secret', (part) => {
    expect(refusal(SAFE, part)).toBeUndefined();
  });

  it('the worker and a subgraph need no admin token (they serve no /admin)', () => {
    expect(refusal(without('PLUGBOARD_ADMIN_TOKEN'), 'worker')).toBeUndefined();
    expect(refusal(without('PLUGBOARD_ADMIN_TOKEN'), 'subgraph')).toBeUndefined();
  });
});

describe('metrics', () => {
  it('need the admin token in production unless PLUGBOARD_METRICS=open says otherwise; open in the demo', () => {
    expect(loadConfig(SAFE).PLUGBOARD_METRICS).toBe('admin');
    expect(loadConfig({ ...SAFE, PLUGBOARD_METRICS: 'open' }).PLUGBOARD_METRICS).toBe('open');
    expect(loadConfig({ ...SAFE, PLUGBOARD_METRICS: 'off' }).PLUGBOARD_METRICS).toBe('off');
    expect(loadConfig({}).PLUGBOARD_METRICS).toBe('open');
  });
});

describe('the demo profile', () => {
  it('starts npm start and the worker on the embedded defaults', () => {
    expect(refusal({}, 'stack')).toBeUndefined();
    expect(refusal({}, 'worker')).toBeUndefined();
  });

  it.each([
    ['gateway', 'npm run gateway'],
    ['subgraph', 'npm run subgraph'],
  ] as const)('refuses %s without the subgraph secret (separate processes share it; only npm start makes one up)', (part, command) => {
    expect(refusal({}, part)).toBe(
      `Plugboard did not start: ${command} needs PLUGBOARD_SUBGRAPH_SECRET, the same value for the gateway and every subgraph (subgraphs answer only requests the gateway signed)`,
    );
    expect(refusal({ PLUGBOARD_SUBGRAPH_SECRET: SUBGRAPH }, part)).toBeUndefined();
  });

  it('refuses a subgraph secret shorter than 32 characters, naming the variable', () => {
    expect(() => loadConfig({ PLUGBOARD_SUBGRAPH_SECRET: 'short' })).toThrow(/PLUGBOARD_SUBGRAPH_SECRET/);
  });
});
