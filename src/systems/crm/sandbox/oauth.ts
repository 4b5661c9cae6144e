import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { hubSpotError, type Answer } from './answers';

/**
 * Internal to the CRM sandbox: auth as HubSpot issues it for a portal's contacts.
 *
 * - A private app's access token: static, sent as `Authorization: Bearer pat-…`, valid until revoked.
 *   Source: HubSpot developer docs, "Private apps" (developers.hubspot.com/docs/apps/legacy-apps/private-apps/overview).
 * - OAuth 2.0 authorization code + refresh token: `POST /oauth/v1/token`, form-encoded, `grant_type=refresh_token`
 *   with `client_id`, `client_secret`, `refresh_token`; answered `{token_type: "bearer", refresh_token, access_token,
 *   expires_in}` with a 30-minute access token. Source: "Refresh an access token" (OAuth tokens v1,
 *   developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/refresh-oauth-token), which also
 *   lists only `authorization_code` and `refresh_token` as grant types: HubSpot issues no client-credentials token
 *   for a portal's contacts, so this endpoint refuses that grant. The authorization-code step needs a person in a
 *   browser; the sandbox starts from the refresh token that step would have given.
 */

/** The app registered in the CRM, the refresh token its installation gave, and a private app's token. */
export interface CrmCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  readonly privateAppToken: string;
}

export interface TokenIssuer {
  /** `POST /oauth/v1/token` with its form-encoded body. */
  issue(body: unknown): Answer;
  /** Checks an `Authorization` header; answers the 401 to send, or undefined when the bearer may pass. */
  refuse(authorization: string | undefined): Answer | undefined;
  /** Which kind of token the header carries, once it passed (for the rate-limit headers). */
  kindOf(authorization: string | undefined): 'private-app' | 'oauth';
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

const bearerOf = (authorization: string | undefined): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];

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
      const grant = form.get('grant_type');
      if (grant !== 'refresh_token' && grant !== 'authorization_code') {
        return oauthError('BAD_GRANT_TYPE', 'grant_type must be one of authorization_code, refresh_token');
      }
      const clientId = form.get('client_id') ?? '';
      const clientSecret = form.get('client_secret') ?? '';
      if (!sameText(clientId, credentials.clientId)) return oauthError('BAD_CLIENT_ID', 'missing or unknown client id');
      if (!sameText(clientSecret, credentials.clientSecret)) {
        return oauthError('BAD_CLIENT_SECRET', 'missing or invalid client secret');
      }
      if (grant === 'authorization_code') return oauthError('BAD_AUTH_CODE', 'missing or invalid auth code');
      if (!sameText(form.get('refresh_token') ?? '', credentials.refreshToken)) {
        return oauthError('BAD_REFRESH_TOKEN', 'missing or unknown refresh token');
      }
      const now = clock();
      forget(now);
      const token = `CK${randomBytes(36).toString('base64url')}`;
      tokens.set(token, now + ttlSeconds * 1000);
      return {
        status: 200,
        body: { token_type: 'bearer', refresh_token: credentials.refreshToken, access_token: token, expires_in: ttlSeconds },
      };
    },

    refuse(authorization) {
      const bearer = bearerOf(authorization);
      if (bearer === undefined) {
        return hubSpotError(
          401,
          'INVALID_AUTHENTICATION',
          'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
        );
      }
      if (sameText(bearer, credentials.privateAppToken)) return undefined;
      const expiresAt = tokens.get(bearer);
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

    kindOf(authorization) {
      const bearer = bearerOf(authorization);
      return bearer !== undefined && sameText(bearer, credentials.privateAppToken) ? 'private-app' : 'oauth';
    },
  };
}
