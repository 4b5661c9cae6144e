import Stripe from 'stripe';
import { IntegrationError, type IntegrationErrorCode } from '../../../domain';
import { badResponse, errorFromStatus, retryAfterMs, tooLargeForSystem, type CallSite } from '../../kit/adapter';
import { ResponseTooLarge } from './client';

/**
 * Stripe SDK errors -> our closed set. Reasons name Stripe's error code and parameter (which say what to fix) and
 * never carry the key, a raw body or a stack. Internal to the adapter.
 */
export function errorFromStripe(site: CallSite, error: unknown, signal?: AbortSignal): IntegrationError {
  if (error instanceof IntegrationError) return error;
  if (signal?.aborted) return make('UPSTREAM_TIMEOUT', site, 'no answer in time (the caller stopped waiting)', error);
  const tooLarge = tooLargeIn(error);
  if (tooLarge) return badResponse(site, tooLarge.message, error);

  const { errors } = Stripe;
  // A URL or headers past the server's limit: we built that request, the vendor never read it.
  if (error instanceof errors.StripeError && (error.statusCode === 414 || error.statusCode === 431)) {
    return tooLargeForSystem(site, error.statusCode, error);
  }
  if (!(error instanceof errors.StripeError)) {
    // The SDK threw something of its own while reading the answer (e.g. a body that is JSON but not an object).
    const detail = error instanceof Error ? error.message : String(error);
    return badResponse(site, `the Stripe SDK could not read the answer (${detail.slice(0, 120)})`, error);
  }
  if (error instanceof errors.StripeAuthenticationError) {
    return make('UPSTREAM_AUTH_FAILED', site, 'the API key was refused', error);
  }
  if (error instanceof errors.StripePermissionError) {
    return make('UPSTREAM_AUTH_FAILED', site, 'the API key may not do this', error);
  }
  if (error instanceof errors.StripeRateLimitError) {
    const wait = retryAfterMs(error.headers?.['retry-after']);
    return new IntegrationError('UPSTREAM_RATE_LIMITED', `${site.system} ${site.operation}: asked to slow down`, {
      ...site,
      reason: 'asked to slow down (rate limited)',
      cause: error,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    });
  }
  if (error instanceof errors.StripeIdempotencyError) {
    return make('UPSTREAM_REJECTED', site, 'the idempotency key was already used with different parameters', error);
  }
  if (error instanceof errors.StripeCardError) {
    return make('UPSTREAM_REJECTED', site, `the card was declined (${error.decline_code ?? error.code ?? 'card_error'})`, error);
  }
  if (error instanceof errors.StripeInvalidRequestError) {
    const what = [error.code, error.param ? `param ${error.param}` : undefined].filter(Boolean).join(', ');
    return make('UPSTREAM_REJECTED', site, `refused${what ? ` (${what})` : ''}: ${error.message}`, error);
  }
  if (error instanceof errors.StripeConnectionError) {
    const detail = error.detail as { code?: string; cause?: { code?: string } } | undefined;
    const code = detail?.code ?? detail?.cause?.code;
    if (code === 'ETIMEDOUT') return make('UPSTREAM_TIMEOUT', site, 'no answer within the request timeout', error);
    return make('UPSTREAM_UNAVAILABLE', site, `could not be reached${code ? ` (${code})` : ''}`, error);
  }
  if (error.statusCode === undefined) {
    // The SDK raises StripeAPIError without a status when the body is not JSON at all.
    return badResponse(site, 'malformed JSON in the answer', error);
  }
  return errorFromStatus(site, error.statusCode, {
    reason: `answered HTTP ${error.statusCode}${error.code ? ` (${error.code})` : ''}`,
    ...(error.headers?.['retry-after'] ? { retryAfter: error.headers['retry-after'] } : {}),
  });
}

function make(code: IntegrationErrorCode, site: CallSite, reason: string, cause: unknown): IntegrationError {
  return new IntegrationError(code, `${site.system} ${site.operation}: ${reason}`, { ...site, reason, cause });
}

/** The cap refusal, wherever the SDK wrapped it: a connection error's `detail`, an API error's `raw.exception`, a cause. */
function tooLargeIn(error: unknown, depth = 0): ResponseTooLarge | undefined {
  if (error instanceof ResponseTooLarge) return error;
  if (depth > 4 || typeof error !== 'object' || error === null) return undefined;
  const inner = error as { detail?: unknown; raw?: { exception?: unknown }; cause?: unknown };
  return tooLargeIn(inner.detail, depth + 1) ?? tooLargeIn(inner.raw?.exception, depth + 1) ?? tooLargeIn(inner.cause, depth + 1);
}
