import * as contacts from '@hubspot/api-client/lib/codegen/crm/contacts';
import * as oauth from '@hubspot/api-client/lib/codegen/oauth';
import { validate, waitUnlessAborted, type CallSite, type HttpResponse } from '../../kit/adapter';
import type { IntegrationError } from '../../../domain';
import { errorFromSdk, refusedStatusOf, tokenRefused } from './errors';
import { tokenSchema } from './schema';
import { createSdkTransport, flatHeaders, sdkBasePath, sdkBody, type Exchange, type SdkRequest, type SdkTransport } from './sdk-transport';

/**
 * Internal to the CRM adapter: HubSpot through its official SDK, `@hubspot/api-client` 13.5.0, with auth and the
 * resilience layer's needs around it.
 *
 * The SDK's generated API classes are used directly, each call with a configuration of its own
 * (`createConfiguration({ baseServer, httpApi, authMethods })`): its base server is the CRM's URL, its auth the
 * current bearer token, and its transport the project's HTTP kit bound to this call's AbortSignal
 * (`sdk-transport.ts`). The SDK's `Client` class is not used: it can take none of these per call, and its retry and
 * Bottleneck limiter (`numberOfApiCallRetries`, `limiterOptions`, applied by a process-wide decorator service) would
 * duplicate the resilience layer's; without the `Client` neither is ever applied.
 *
 * Auth is what HubSpot issues for a portal's contacts: a private app's static token, or OAuth refresh tokens. An
 * OAuth access token is fetched with the SDK's `TokensApi.create('refresh_token', …)` (`POST /oauth/v1/token`),
 * cached, and renewed shortly before it expires; callers that need a token while one is being fetched share that one
 * request, each free to stop waiting on its own signal. A call refused 401 (token expired early, or revoked) gets a
 * fresh token and is sent once more: a 401 means nothing was applied, so resending is safe, writes included. A
 * private app's token cannot be renewed: its 401 is final.
 */

/** How the adapter authenticates: a private app's token, or an OAuth app's refresh token. */
export type CrmAuth =
  | { readonly kind: 'private-app'; readonly accessToken: string }
  | { readonly kind: 'oauth'; readonly clientId: string; readonly clientSecret: string; readonly refreshToken: string };

export interface CrmClientOptions {
  readonly system: string;
  readonly baseUrl: string;
  readonly auth: CrmAuth;
  readonly maxResponseBytes?: number | undefined;
  /** Our clock, for token lifetimes and rate-limit windows. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** Waits before a call when the rate limit says so. @default a timer that the call's signal cancels */
  readonly sleep?: ((ms: number, signal: AbortSignal | undefined) => Promise<void>) | undefined;
}

/** The SDK's contacts APIs, configured for one call. */
export interface ContactsApis {
  readonly basic: contacts.BasicApi;
  readonly batch: contacts.BatchApi;
}

export interface CrmCall {
  /** The adapter operation, for errors and the log. */
  readonly operation: string;
  readonly signal?: AbortSignal | undefined;
  /** Sent as `Idempotency-Key`: HubSpot ignores it. */
  readonly idempotencyKey?: string | undefined;
}

/** HubSpot refused a call with a status its caller said it handles: its words, and the error to raise otherwise. */
export class HubSpotRefusal {
  constructor(
    readonly status: number,
    /** HubSpot's `message`, '' when it gave none. */
    readonly message: string,
    readonly error: IntegrationError,
  ) {}
}

export interface CrmClient extends AsyncDisposable {
  /** Runs one SDK call; a refusal or failure is thrown as our error. */
  call<T>(call: CrmCall, send: (apis: ContactsApis) => Promise<T>): Promise<T>;
  /** Like call, but a refusal with one of the `handled` statuses is answered as a HubSpotRefusal. */
  attempt<T>(call: CrmCall, handled: readonly number[], send: (apis: ContactsApis) => Promise<T>): Promise<T | HubSpotRefusal>;
  close(): Promise<void>;
}

interface CachedToken {
  readonly value: string;
  /** When to stop using it (ms since the epoch): a margin before it expires. */
  readonly renewAt: number;
}

/** A token request that hangs must not hold every later caller hostage: it gives up after this long. */
const TOKEN_REQUEST_TIMEOUT_MS = 10_000;
/** Renew this long before expiry, but never more than a tenth of the token's life. */
const RENEW_MARGIN_MS = 60_000;

const TOKEN_SITE_OPERATION = 'accessToken';

/** The SDK's transport interface, over ours: each generated module has its own ResponseContext class. */
function httpApiOf<Response>(
  transport: SdkTransport,
  exchange: Exchange,
  respond: (status: number, headers: Record<string, string>, body: ReturnType<typeof sdkBody>) => Response,
): { send(request: SdkRequest): Promise<Response> } {
  return {
    send: async (request) => {
      const answer: HttpResponse = await transport.send(request, exchange);
      return respond(answer.status, flatHeaders(answer), sdkBody(answer));
    },
  };
}

export function createCrmClient(options: CrmClientOptions): CrmClient {
  const now = options.now ?? (() => Date.now());
  const transport = createSdkTransport({ ...options, now });
  const basePath = sdkBasePath(options.baseUrl);
  const tokenSite: CallSite = { system: options.system, operation: TOKEN_SITE_OPERATION };
  const auth = options.auth;
  let cached: CachedToken | undefined;
  let pending: Promise<CachedToken> | undefined;
  let refreshToken = auth.kind === 'oauth' ? auth.refreshToken : '';

  const contactsApis = (token: string, exchange: Exchange): ContactsApis => {
    const httpApi = httpApiOf(transport, exchange, (status, headers, body) => new contacts.ResponseContext(status, headers, body));
    const configuration = contacts.createConfiguration({
      baseServer: new contacts.ServerConfiguration(basePath, {}),
      httpApi: contacts.wrapHttpLibrary(httpApi),
      authMethods: { oauth2: { accessToken: token } },
    });
    return { basic: new contacts.BasicApi(configuration), batch: new contacts.BatchApi(configuration) };
  };

  const fetchToken = async (app: Extract<CrmAuth, { kind: 'oauth' }>): Promise<CachedToken> => {
    const askedAt = now();
    const exchange: Exchange = { site: tokenSite, signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS) };
    const httpApi = httpApiOf(transport, exchange, (status, headers, body) => new oauth.ResponseContext(status, headers, body));
    const tokens = new oauth.TokensApi(
      oauth.createConfiguration({
        baseServer: new oauth.ServerConfiguration(basePath, {}),
        httpApi: oauth.wrapHttpLibrary(httpApi),
      }),
    );
    const answer = await tokens
      .create('refresh_token', undefined, undefined, app.clientId, app.clientSecret, refreshToken)
      .catch((error: unknown) => {
        throw errorFromSdk(tokenSite, error, exchange.last, tokenRefused);
      });
    const token = validate(tokenSite, tokenSchema, answer);
    if (token.refreshToken) refreshToken = token.refreshToken;
    const lifetimeMs = token.expiresIn * 1000;
    return { value: token.accessToken, renewAt: askedAt + lifetimeMs - Math.min(RENEW_MARGIN_MS, lifetimeMs / 10) };
  };

  const accessToken = (site: CallSite, signal: AbortSignal | undefined): Promise<string> => {
    if (auth.kind === 'private-app') return Promise.resolve(auth.accessToken);
    if (cached && now() < cached.renewAt) return Promise.resolve(cached.value);
    pending ??= fetchToken(auth)
      .then((token) => {
        cached = token;
        return token;
      })
      .finally(() => {
        pending = undefined;
      });
    return waitUnlessAborted(pending, site, signal).then((token) => token.value);
  };

  type Outcome<T> = { readonly sent: true; readonly value: T } | { readonly sent: false; readonly error: unknown; readonly exchange: Exchange };

  const attempt = async <T>(
    request: CrmCall,
    handled: readonly number[],
    send: (apis: ContactsApis) => Promise<T>,
  ): Promise<T | HubSpotRefusal> => {
    const site: CallSite = { system: options.system, operation: request.operation };
    const once = async (token: string): Promise<Outcome<T>> => {
      const exchange: Exchange = { site, signal: request.signal, idempotencyKey: request.idempotencyKey };
      try {
        return { sent: true, value: await send(contactsApis(token, exchange)) };
      } catch (error) {
        return { sent: false, error, exchange };
      }
    };
    const token = await accessToken(site, request.signal);
    let outcome = await once(token);
    if (!outcome.sent && refusedStatusOf(outcome.error) === 401 && auth.kind === 'oauth') {
      if (cached?.value === token) cached = undefined;
      outcome = await once(await accessToken(site, request.signal));
    }
    if (outcome.sent) return outcome.value;
    const error = errorFromSdk(site, outcome.error, outcome.exchange.last);
    const status = refusedStatusOf(outcome.error);
    if (status === undefined || !handled.includes(status)) throw error;
    const said = (outcome.error as { body?: { message?: unknown } }).body?.message;
    return new HubSpotRefusal(status, typeof said === 'string' ? said : '', error);
  };

  const call = async <T>(request: CrmCall, send: (apis: ContactsApis) => Promise<T>): Promise<T> =>
    (await attempt(request, [], send)) as T;

  const close = (): Promise<void> => transport.close();
  return { call, attempt, close, [Symbol.asyncDispose]: close };
}
