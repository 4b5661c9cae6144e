/**
 * The demo's signing secret, used when PLUGBOARD_JWT_SECRET is unset so that `npm start` and `npm run token` work out of
 * the box on a laptop. It is public (it is in this file): anyone can mint tokens for a gateway that uses it. Every
 * deployment sets PLUGBOARD_JWT_SECRET to a secret of its own (at least 32 characters, e.g. `openssl rand -hex 32`).
 */
export const DEMO_JWT_SECRET = 'plugboard-demo-jwt-secret-not-for-production-use';

/** The environment variable that holds the signing secret. */
export const JWT_SECRET_VARIABLE = 'PLUGBOARD_JWT_SECRET';

/** Shortest secret accepted: HS256 wants at least as many bytes as its 256-bit hash. */
export const MIN_SECRET_LENGTH = 32;

/** The signing secret the environment gives, or the demo's (then `demo` is true, so that callers can warn). */
export function jwtSecretFrom(env: NodeJS.ProcessEnv = process.env): { readonly secret: string; readonly demo: boolean } {
  const configured = env[JWT_SECRET_VARIABLE];
  if (configured === undefined || configured === '') return { secret: DEMO_JWT_SECRET, demo: true };
  return { secret: configured, demo: false };
}
