import { randomUUID } from 'node:crypto';
import { textProblem } from '../domain/text';
import { AuthError } from './errors';
import { isScope, SCOPES, type Scope } from './scopes';
import { JWT_SECRET_VARIABLE, MIN_SECRET_LENGTH } from './secret';

/** Who is calling: the token's subject and the scopes it grants. */
export interface Actor {
  readonly subject: string;
  readonly scopes: readonly string[];
}

export interface AuthOptions {
  /** The HS256 signing secret, at least 32 characters (see {@link jwtSecretFrom}). */
  readonly secret: string;
  /** The `iss` tokens must carry, and that minted tokens get. @default 'plugboard' */
  readonly issuer?: string;
  /** The `aud` tokens must carry, and that minted tokens get. @default 'plugboard-graph' */
  readonly audience?: string;
  /** Whether queries are open to callers without a token (mutations always need one). @default true */
  readonly readsOpen?: boolean;
  /** Clock skew allowed between the minting machine and this one. @default 5 */
  readonly clockToleranceSeconds?: number;
  /**
   * Longest a token may live: a token whose `exp` lies further ahead than this (from now, or from its `iat`) is refused,
   * and none longer is minted. @default {@link MAX_TOKEN_LIFETIME_SECONDS} (24 h)
   */
  readonly maxLifetimeSeconds?: number;
  /** The clock, for minting and checking expiry. @default () => new Date() */
  readonly now?: () => Date;
}

export interface MintOptions {
  readonly subject: string;
  readonly scopes: readonly Scope[];
  /** Seconds, or a number with a unit: '90s', '30m', '1h', '7d'. @default '1h' */
  readonly expiresIn?: number | string;
}

export interface Auth {
  readonly readsOpen: boolean;
  /**
   * The actor an `Authorization` header names: null when there is no header (anonymous); throws an UNAUTHENTICATED
   * {@link AuthError} when the header is not `Bearer <token>` or the token is invalid, expired, or for another
   * issuer or audience.
   */
  verify(authorization: string | null | undefined): Promise<Actor | null>;
  /** The actor, when it holds the scope; else throws UNAUTHENTICATED (no actor) or FORBIDDEN (naming the scope). */
  requireScope(actor: Actor | null, scope: Scope): Actor;
  /** A signed token for a subject and scopes. */
  mint(options: MintOptions): Promise<string>;
}

/** The claims we read from a verified token. */
interface Claims {
  readonly sub?: string;
  readonly exp?: number;
  readonly iat?: number;
  readonly scope?: unknown;
  readonly scp?: unknown;
}

/**
 * Longest a token may live, minted or verified: a day. A bearer token cannot be revoked (HS256, no token store), so
 * its lifetime bounds how long a leaked one works; `npm run token` mints a fresh one in a second.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;
/** Longest subject (`sub`) accepted: it is the audit's actor, and ids of OAuth providers are far shorter. */
export const MAX_SUBJECT_LENGTH = 256;
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** jose is an ES module: loaded with import(), which also works from our CommonJS build. */
const loadJose = () => import('jose');

/**
 * Bearer tokens for the graph: HS256 JWTs with the caller in `sub` and the scopes they grant in `scope` (space
 * separated, as OAuth 2 access tokens carry them). Issuer, audience, expiry and algorithm are all checked.
 */
export function createAuth(options: AuthOptions): Auth {
  if (options.secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`auth: the JWT secret must be at least ${MIN_SECRET_LENGTH} characters (${JWT_SECRET_VARIABLE})`);
  }
  const key = new TextEncoder().encode(options.secret);
  const issuer = options.issuer ?? 'plugboard';
  const audience = options.audience ?? 'plugboard-graph';
  const now = options.now ?? (() => new Date());
  const tolerance = options.clockToleranceSeconds ?? 5;
  const maxLifetime = options.maxLifetimeSeconds ?? MAX_TOKEN_LIFETIME_SECONDS;

  return {
    readsOpen: options.readsOpen ?? true,

    async verify(authorization) {
      if (authorization === undefined || authorization === null || authorization.trim() === '') return null;
      const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim())?.[1];
      if (!token) {
        throw new AuthError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
      }
      const { jwtVerify } = await loadJose();
      let payload: Claims;
      try {
        ({ payload } = await jwtVerify(token, key, {
          issuer,
          audience,
          algorithms: ['HS256'],
          requiredClaims: ['sub', 'exp'],
          currentDate: now(),
          clockTolerance: tolerance,
        }));
      } catch (error) {
        throw new AuthError('UNAUTHENTICATED', reasonOf(error, issuer, audience));
      }
      checkLifetime(payload, Math.floor(now().getTime() / 1000), tolerance, maxLifetime);
      if (typeof payload.sub !== 'string' || payload.sub === '') {
        throw new AuthError('UNAUTHENTICATED', 'the token names no subject (sub)');
      }
      const subjectProblem = textProblem(payload.sub, { max: MAX_SUBJECT_LENGTH });
      if (subjectProblem) throw new AuthError('UNAUTHENTICATED', `the token's subject (sub) ${subjectProblem}`);
      return { subject: payload.sub, scopes: scopesOf(payload) };
    },

    requireScope,

    async mint({ subject, scopes, expiresIn = '1h' }) {
      const subjectProblem = textProblem(subject, { max: MAX_SUBJECT_LENGTH });
      if (subjectProblem) throw new Error(`token: the subject ${subjectProblem}`);
      const unknown = scopes.filter((scope) => !isScope(scope));
      if (unknown.length > 0) {
        throw new Error(`token: unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}; scopes are ${SCOPES.join(', ')}`);
      }
      const issuedAt = Math.floor(now().getTime() / 1000);
      const { SignJWT } = await loadJose();
      return new SignJWT({ scope: [...new Set(scopes)].join(' ') })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(subject)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + lifetimeSeconds(expiresIn, maxLifetime))
        .setJti(randomUUID())
        .sign(key);
    },
  };
}

/** The actor, when it holds the scope; else throws UNAUTHENTICATED (no actor) or FORBIDDEN naming the scope. */
export function requireScope(actor: Actor | null, scope: Scope): Actor {
  if (!actor) {
    throw new AuthError('UNAUTHENTICATED', `this needs a token with the scope "${scope}" (Authorization: Bearer <token>)`, scope);
  }
  if (!actor.scopes.includes(scope)) {
    throw new AuthError('FORBIDDEN', `this needs the scope "${scope}", which the token of ${actor.subject} does not grant`, scope);
  }
  return actor;
}

/**
 * A token's lifetime in seconds, before its `exp` is trusted: one that lives longer than `maxLifetime` (its `exp` further
 * ahead than that from now or from its `iat`) is refused, and so is one issued in the future (beyond the skew).
 */
function checkLifetime(payload: Claims, nowSeconds: number, tolerance: number, maxLifetime: number): void {
  const { exp, iat } = payload;
  if (typeof iat === 'number' && iat > nowSeconds + tolerance) {
    throw new AuthError('UNAUTHENTICATED', 'the token was issued in the future: check the clock of the machine that minted it');
  }
  const longest = maxLifetime + tolerance;
  if (typeof exp === 'number' && (exp - nowSeconds > longest || (typeof iat === 'number' && exp - iat > longest))) {
    throw new AuthError('UNAUTHENTICATED', `the token lives too long: tokens may live at most ${describeSeconds(maxLifetime)}; ask for a shorter one`);
  }
}

function describeSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** Reads '90s', '30m', '1h', '7d' or a number of seconds, up to `max` seconds. */
export function lifetimeSeconds(expiresIn: number | string, max = MAX_TOKEN_LIFETIME_SECONDS): number {
  let seconds: number;
  if (typeof expiresIn === 'number') {
    seconds = expiresIn;
  } else {
    const match = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(expiresIn);
    if (!match) throw new Error(`token: expiry "${expiresIn}" is not a duration such as 90s, 30m, 1h or 7d`);
    seconds = Number(match[1]) * UNIT_SECONDS[(match[2] || 's').toLowerCase()]!;
  }
  if (!Number.isInteger(seconds) || seconds <= 0 || seconds > max) {
    throw new Error(`token: expiry must be between 1 second and ${describeSeconds(max)}`);
  }
  return seconds;
}

function scopesOf(payload: Claims): string[] {
  const claim = payload.scope ?? payload.scp;
  if (typeof claim === 'string') return claim.split(/\s+/).filter((scope) => scope !== '');
  if (Array.isArray(claim)) return claim.filter((scope): scope is string => typeof scope === 'string');
  return [];
}

function reasonOf(error: unknown, issuer: string, audience: string): string {
  const { code, claim } = error as { code?: string; claim?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired: ask for a new one';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'aud') return `the token is not meant for this graph (its audience is not "${audience}")`;
      if (claim === 'iss') return `the token was not issued by "${issuer}"`;
      if (claim === 'nbf') return 'the token is not valid yet';
      if (claim === 'iat') return 'the token was issued in the future';
      return `the token's "${claim ?? 'unknown'}" claim is missing or invalid`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'the token is not signed with this gateway\'s secret';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'the token must be signed with HS256';
    default:
      return 'the token is malformed';
  }
}
