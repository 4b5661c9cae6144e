import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { hasBearer } from '../../src/auth/admin-token';

/**
 * The admin bearer check does not tell the token's length by its timing: whatever is sent, the comparison is one
 * constant-time compare of two equal-length digests (before, a token of another length returned at once).
 */

const TOKEN = 'admin-token-of-some-length-0123456789';
const asking = (authorization: string | undefined) => ({ headers: authorization === undefined ? {} : { authorization } }) as FastifyRequest;

afterEach(() => jest.restoreAllMocks());

it('compares equal-length digests in constant time, whatever the length of what was sent', () => {
  const compare = jest.spyOn(crypto, 'timingSafeEqual');
  for (const sent of ['x', 'a'.repeat(TOKEN.length), 'b'.repeat(500), TOKEN]) hasBearer(asking(`Bearer ${sent}`), TOKEN);
  expect(compare).toHaveBeenCalledTimes(4);
  for (const [a, b] of compare.mock.calls) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
});

it('accepts the token and nothing else', () => {
  expect(hasBearer(asking(`Bearer ${TOKEN}`), TOKEN)).toBe(true);
  expect(hasBearer(asking(`bearer ${TOKEN}`), TOKEN)).toBe(true);
  for (const sent of [undefined, '', 'Bearer ', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`, TOKEN]) {
    expect([sent, hasBearer(asking(sent), TOKEN)]).toEqual([sent, false]);
  }
});
