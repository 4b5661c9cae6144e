import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { AuthError, createAuth, DEMO_JWT_SECRET, requireScope, SCOPES, type Actor } from '../../src/auth';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const SECRET = 'a-test-secret-of-more-than-thirty-two-characters';

async function authErrorOf(promise: Promise<unknown> | (() => unknown)): Promise<AuthError> {
  const outcome = typeof promise === 'function' ? Promise.resolve().then(promise) : promise;
  const error = await outcome.then(
    () => new Error('expected an AuthError, and it succeeded'),
    (caught: unknown) => caught,
  );
  if (!(error instanceof AuthError)) throw error;
  return error;
}

/** Runs `npm run token` the way the package script does. */
function token(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { PLUGBOARD_JWT_SECRET: _unset, ...rest } = process.env;
  return run(process.execPath, ['-r', '@swc-node/register', 'src/cli/token.ts', ...args], {
    cwd: ROOT,
    env: { ...rest, ...env },
    timeout: 20_000,
  });
}

describe('auth', () => {
  const auth = createAuth({ secret: SECRET });

  it('lists the write scopes', () => {
    expect(SCOPES).toEqual(['customers:write', 'orders:write', 'inventory:write']);
  });

  it('verifies the tokens it mints, naming the subject and the scopes', async () => {
    const minted = await auth.mint({ subject: 'alice', scopes: ['orders:write', 'customers:write'], expiresIn: '15m' });
    expect(await auth.verify(`Bearer ${minted}`)).toEqual({ subject: 'alice', scopes: ['orders:write', 'customers:write'] });
    expect(await auth.verify(`bearer   ${minted}  `)).toEqual({ subject: 'alice', scopes: ['orders:write', 'customers:write'] });
  });

  it('answers no actor when there is no Authorization header, and leaves reads open by default', async () => {
    expect(await auth.verify(undefined)).toBeNull();
    expect(await auth.verify('')).toBeNull();
    expect(auth.readsOpen).toBe(true);
    expect(createAuth({ secret: SECRET, readsOpen: false }).readsOpen).toBe(false);
  });

  it('refuses a header that is not a bearer token', async () => {
    const error = await authErrorOf(auth.verify('Basic YWxpY2U6c2VjcmV0'));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.message).toBe('the Authorization header must be "Bearer <token>"');
  });

  it('refuses a token signed with another secret', async () => {
    const other = createAuth({ secret: 'another-secret-that-is-also-long-enough-to-use' });
    const forged = await other.mint({ subject: 'mallory', scopes: ['orders:write'] });
    const error = await authErrorOf(auth.verify(`Bearer ${forged}`));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.message).toBe("the token is not signed with this gateway's secret");
    expect(error.message).not.toContain(forged);
  });

  it('refuses an expired token', async () => {
    const twoHoursAgo = createAuth({ secret: SECRET, now: () => new Date(Date.now() - 2 * 3600_000) });
    const stale = await twoHoursAgo.mint({ subject: 'alice', scopes: ['orders:write'], expiresIn: '1h' });
    expect(await twoHoursAgo.verify(`Bearer ${stale}`)).toEqual({ subject: 'alice', scopes: ['orders:write'] });
    const error = await authErrorOf(auth.verify(`Bearer ${stale}`));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.message).toBe('the token has expired: ask for a new one');
  });

  it('refuses a token for another audience or from another issuer', async () => {
    const elsewhere = await createAuth({ secret: SECRET, audience: 'billing-api' }).mint({ subject: 'alice', scopes: [] });
    const wrongAudience = await authErrorOf(auth.verify(`Bearer ${elsewhere}`));
    expect(wrongAudience.code).toBe('UNAUTHENTICATED');
    expect(wrongAudience.message).toBe('the token is not meant for this graph (its audience is not "plugboard-graph")');

    const foreign = await createAuth({ secret: SECRET, issuer: 'someone-else' }).mint({ subject: 'alice', scopes: [] });
    const wrongIssuer = await authErrorOf(auth.verify(`Bearer ${foreign}`));
    expect(wrongIssuer.code).toBe('UNAUTHENTICATED');
    expect(wrongIssuer.message).toBe('the token was not issued by "plugboard"');
  });

  it('refuses a token whose claims were altered, and one that is not a token at all', async () => {
    const minted = await auth.mint({ subject: 'alice', scopes: ['orders:write'] });
    const [header, payload, signature] = minted.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: SCOPES.join(' ') })).toString('base64url');
    expect((await authErrorOf(auth.verify(`Bearer ${header}.${widened}.${signature}`))).code).toBe('UNAUTHENTICATED');

    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    expect((await authErrorOf(auth.verify(`Bearer ${unsigned}`))).code).toBe('UNAUTHENTICATED');

    const garbage = await authErrorOf(auth.verify('Bearer not-a-token'));
    expect(garbage).toMatchObject({ code: 'UNAUTHENTICATED', message: 'the token is malformed' });
  });

  it('asks for a token when there is no actor, and names the scope a token lacks', async () => {
    const noActor = await authErrorOf(() => requireScope(null, 'orders:write'));
    expect(noActor).toMatchObject({ code: 'UNAUTHENTICATED', scope: 'orders:write' });
    expect(noActor.message).toBe('this needs a token with the scope "orders:write" (Authorization: Bearer <token>)');

    const actor = (await auth.verify(`Bearer ${await auth.mint({ subject: 'bob', scopes: ['customers:write'] })}`)) as Actor;
    const forbidden = await authErrorOf(() => auth.requireScope(actor, 'orders:write'));
    expect(forbidden).toMatchObject({ code: 'FORBIDDEN', scope: 'orders:write' });
    expect(forbidden.message).toBe('this needs the scope "orders:write", which the token of bob does not grant');
    expect(auth.requireScope(actor, 'customers:write')).toBe(actor);
  });

  it('refuses to mint unknown scopes or impossible lifetimes, and to start with a short secret', async () => {
    await expect(auth.mint({ subject: 'alice', scopes: ['orders:admin' as 'orders:write'] })).rejects.toThrow(
      'token: unknown scope "orders:admin"; scopes are customers:write, orders:write, inventory:write',
    );
    await expect(auth.mint({ subject: 'alice', scopes: [], expiresIn: 'forever' })).rejects.toThrow(
      'token: expiry "forever" is not a duration such as 90s, 30m, 1h or 7d',
    );
    expect(() => createAuth({ secret: 'short' })).toThrow(
      'auth: the JWT secret must be at least 32 characters (PLUGBOARD_JWT_SECRET)',
    );
  });

  describe('tokens that no minting of ours makes (issue 15)', () => {
    /** A token signed with our secret, with claims of the test's choosing: what someone holding the secret could forge. */
    async function signed(claims: { sub?: string; iat?: number; exp: number }): Promise<string> {
      const { SignJWT } = await import('jose');
      const jwt = new SignJWT({ scope: 'orders:write', ...(claims.iat === undefined ? {} : { iat: claims.iat }) })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('plugboard')
        .setAudience('plugboard-graph')
        .setExpirationTime(claims.exp);
      if (claims.sub !== undefined) jwt.setSubject(claims.sub);
      return jwt.sign(new TextEncoder().encode(SECRET));
    }
    const nowSeconds = () => Math.floor(Date.now() / 1000);

    it('refuses an exp further ahead than the longest lifetime (24 h), from now or from its iat', async () => {
      const century = await authErrorOf(auth.verify(`Bearer ${await signed({ sub: 'alice', iat: nowSeconds(), exp: nowSeconds() + 100 * 365 * 86_400 })}`));
      expect(century).toMatchObject({ code: 'UNAUTHENTICATED', message: 'the token lives too long: tokens may live at most 24 h; ask for a shorter one' });
      const noIat = await authErrorOf(auth.verify(`Bearer ${await signed({ sub: 'alice', exp: nowSeconds() + 25 * 3600 })}`));
      expect(noIat.code).toBe('UNAUTHENTICATED');
      const longFromIat = await authErrorOf(auth.verify(`Bearer ${await signed({ sub: 'alice', iat: nowSeconds() - 3600, exp: nowSeconds() + 24 * 3600 })}`));
      expect(longFromIat.message).toMatch(/lives too long/);
      expect(await auth.verify(`Bearer ${await signed({ sub: 'alice', iat: nowSeconds(), exp: nowSeconds() + 23 * 3600 })}`)).toEqual({ subject: 'alice', scopes: ['orders:write'] });
    });

    it('refuses a token issued in the future beyond the clock skew, and takes one within it', async () => {
      const future = await authErrorOf(auth.verify(`Bearer ${await signed({ sub: 'alice', iat: nowSeconds() + 3600, exp: nowSeconds() + 7200 })}`));
      expect(future).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/issued in the future/) });
      expect(await auth.verify(`Bearer ${await signed({ sub: 'alice', iat: nowSeconds() + 2, exp: nowSeconds() + 600 })}`)).toMatchObject({ subject: 'alice' });
    });

    it.each([
      ['a newline', 'alice\nadmin'],
      ['a NUL', 'alice\u0000'],
      ['a C1 control', 'alice\u0085'],
      ['a lone surrogate', 'alice\uD800'],
      ['10 kB', 'a'.repeat(10_000)],
      ['257 characters', 'a'.repeat(257)],
    ])('refuses a subject (sub) with %s: it would become the audit actor', async (_what, sub) => {
      const error = await authErrorOf(auth.verify(`Bearer ${await signed({ sub, iat: nowSeconds(), exp: nowSeconds() + 600 })}`));
      expect(error.code).toBe('UNAUTHENTICATED');
      expect(error.message).toMatch(/^the token's subject \(sub\) must/);
    });

    it('takes a subject of 256 characters, and mints only what it verifies', async () => {
      expect(await auth.verify(`Bearer ${await signed({ sub: 's'.repeat(256), iat: nowSeconds(), exp: nowSeconds() + 600 })}`)).toMatchObject({ subject: 's'.repeat(256) });
      const day = await auth.mint({ subject: 'alice', scopes: ['orders:write'], expiresIn: '24h' });
      expect(await auth.verify(`Bearer ${day}`)).toMatchObject({ subject: 'alice' });
      await expect(auth.mint({ subject: 'alice', scopes: [], expiresIn: '7d' })).rejects.toThrow('token: expiry must be between 1 second and 24 h');
      await expect(auth.mint({ subject: 'alice\r\nadmin', scopes: [] })).rejects.toThrow(/token: the subject must not hold control characters/);
    });
  });

  describe('npm run token', () => {
    it('prints a token signed with the demo secret when PLUGBOARD_JWT_SECRET is unset', async () => {
      const { stdout, stderr } = await token(['--scope', 'orders:write', '--scope', 'inventory:write', '--subject', 'alice']);
      expect(stderr).toContain('PLUGBOARD_JWT_SECRET is unset: signing with the demo secret');
      const printed = stdout.trim();
      expect(printed).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const actor = await createAuth({ secret: DEMO_JWT_SECRET }).verify(`Bearer ${printed}`);
      expect(actor).toEqual({ subject: 'alice', scopes: ['orders:write', 'inventory:write'] });
    });

    it('signs with PLUGBOARD_JWT_SECRET when it is set', async () => {
      const { stdout, stderr } = await token(['--scope', 'customers:write', '--expires', '10m'], { PLUGBOARD_JWT_SECRET: SECRET });
      expect(stderr).toBe('');
      expect(await auth.verify(`Bearer ${stdout.trim()}`)).toEqual({ subject: 'developer', scopes: ['customers:write'] });
      const demo = createAuth({ secret: DEMO_JWT_SECRET });
      expect((await authErrorOf(demo.verify(`Bearer ${stdout.trim()}`))).code).toBe('UNAUTHENTICATED');
    });

    it('refuses an unknown scope, printing no token', async () => {
      const failure = await token(['--scope', 'orders:delete']).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failure).toMatchObject({ code: 2, stdout: '' });
      expect(failure?.stderr).toContain('unknown scope orders:delete: use customers:write, orders:write, inventory:write');
    });
  });
});
