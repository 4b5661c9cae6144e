import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { hubSpotError, type Answer } from './answers';

/**
 * Internal to the CRM sandbox: HubSpot-style OAuth2 client credentials. Tokens are opaque, live for a fixed time
 * and are checked on every API call.
 */

/** The client credentials of the app registered in the CRM. */
export interface CrmCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface TokenIssuer {
  /** `POST /oauth/v1/token` with its form-encoded body. */
  issue(body: unknown): Answer;
  /** Checks an `Authorization` header; answers the 401 to send, or undefined when the bearer may pass. */
  refuse(authorization: string | undefined): Answer | undefined;
}

const sameText = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

const oauthError = (status: string, message: string): Answer => ({
  status: 400,
  body: { status, message, correlationId: randomUUID() },
});

export function createTokenIssuer(options: {
  readonly credentials: CrmCredentials;
  readonly ttlSeconds: number;
  readonly clock: () => number;
}): TokenIssuer {
  const { credentials, ttlSeconds, clock } = options;
  /** Token -> when it expires (ms since the epoch). */
  const tokens = new Map<string, number>();

  const forget = (now: number): void => {
    // Expired tokens are kept for a while, so that a late caller hears "expired" rather than "invalid".
    for (const [token, expiresAt] of tokens) if (expiresAt + 3_600_000 < now) tokens.delete(token);
  };

  return {
    issue(body) {
      const form = new URLSearchParams(typeof body === 'string' ? body : '');
      if (form.get('grant_type') !== 'client_credentials') {
        return oauthError('BAD_GRANT_TYPE', 'grant_type must be client_credentials');
      }
      const clientId = form.get('client_id') ?? '';
      const clientSecret = form.get('client_secret') ?? '';
      if (!sameText(clientId, credentials.clientId)) return oauthError('BAD_CLIENT_ID', 'missing or unknown client id');
      if (!sameText(clientSecret, credentials.clientSecret)) {
        return oauthError('BAD_CLIENT_SECRET', 'missing or invalid client secret');
      }
      const now = clock();
      forget(now);
      const token = `CK${randomBytes(36).toString('base64url')}`;
      tokens.set(token, now + ttlSeconds * 1000);
      return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: ttlSeconds } };
    },

    refuse(authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      if (!match) {
        return hubSpotError(
          401,
          'INVALID_AUTHENTICATION',
          'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
        );
      }
      const expiresAt = tokens.get(match[1] as string);
      if (expiresAt === undefined) {
        return hubSpotError(401, 'INVALID_AUTHENTICATION', 'The OAuth token used to make this call is not valid.');
      }
      const late = clock() - expiresAt;
      if (late >= 0) {
        return hubSpotError(
          401,
          'EXPIRED_AUTHENTICATION',
          `The OAuth token used to make this call expired ${Math.floor(late / 1000)} second(s) ago.`,
        );
      }
      return undefined;
    },
  };
}
