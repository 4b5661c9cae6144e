import { createHash } from 'node:crypto';
import type { StripeApi } from './api';
import type { PaymentsLedger } from './ledger';
import { createdFilter, expand, limitParam, newestFirst, paginate, type Lookups } from './listing';
import { CANCELLATION_REASONS, CAPTURE_METHODS, type PaymentIntent } from './objects';
import { parseSearchQuery, queryMatcher } from './search';
import {
  arrayParam,
  booleanParam,
  enumParam,
  integerParam,
  invalid,
  metadataParam,
  missingParam,
  noSuch,
  onlyKnown,
  stringParam,
  type Params,
} from './wire';

/** Smallest and largest amounts Stripe takes, in minor units (its minimum is about 50 cents in most currencies). */
const MIN_AMOUNT = 50;
const MAX_AMOUNT = 99_999_999;

/** `/v1/payment_intents`: create, retrieve, list, search, confirm, capture, cancel. Internal to the sandbox. */
export function registerPaymentIntentRoutes(
  api: StripeApi,
  ledger: PaymentsLedger,
  lookups: Lookups,
  options: { readonly maxSearchClauses: number },
): void {
  const intentOf = (id: string | undefined): PaymentIntent => {
    const intent = id ? ledger.intents.get(id) : undefined;
    if (!intent) throw noSuch('payment_intent', id ?? '', 'intent');
    return intent;
  };
  const answer = (intent: PaymentIntent, params: Params) => ({
    body: expand(structuredClone(intent), arrayParam(params, 'expand'), lookups),
  });

  api.post('/payment_intents', 'payment_intents.create', ({ params, events }) => {
    onlyKnown(params, [
      'amount', 'currency', 'customer', 'description', 'metadata', 'payment_method', 'payment_method_types',
      'allowed_payment_method_types', 'capture_method', 'confirm', 'receipt_email', 'expand',
      'automatic_payment_methods', 'return_url',
    ]);
    const amount = integerParam(params, 'amount');
    if (amount === undefined) throw missingParam('amount');
    const currency = stringParam(params, 'currency');
    if (currency === undefined || currency === '') throw missingParam('currency');
    if (!/^[a-zA-Z]{3}$/.test(currency)) {
      throw invalid(`Invalid currency: ${currency.toLowerCase()}. Stripe currently supports these currencies: ISO 4217 codes.`, {
        code: 'parameter_invalid_string',
        param: 'currency',
      });
    }
    if (amount < MIN_AMOUNT) {
      throw invalid(`Amount must be at least ${MIN_AMOUNT} in the currency's smallest unit.`, {
        code: 'amount_too_small',
        param: 'amount',
      });
    }
    if (amount > MAX_AMOUNT) {
      throw invalid(`Amount must be no more than ${MAX_AMOUNT}.`, { code: 'amount_too_large', param: 'amount' });
    }
    const paymentMethod = paymentMethodParam(params);
    const confirm = booleanParam(params, 'confirm') ?? false;
    const customer = stringParam(params, 'customer');
    const description = stringParam(params, 'description');
    const receiptEmail = stringParam(params, 'receipt_email');
    const types = arrayParam(params, 'allowed_payment_method_types') ?? arrayParam(params, 'payment_method_types');
    const captureMethod = enumParam(params, 'capture_method', CAPTURE_METHODS);
    const metadata = metadataParam(params);
    const intent = ledger.createIntent(
      {
        amount,
        currency: currency.toLowerCase(),
        ...(customer !== undefined ? { customer } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(metadata !== undefined ? { metadata } : {}),
        ...(paymentMethod !== undefined ? { payment_method: paymentMethod } : {}),
        ...(types !== undefined ? { payment_method_types: types } : {}),
        ...(captureMethod !== undefined ? { capture_method: captureMethod } : {}),
        ...(receiptEmail !== undefined ? { receipt_email: receiptEmail } : {}),
      },
      events,
    );
    if (confirm) ledger.confirm(intent, {}, events);
    return answer(intent, params);
  });

  api.get('/payment_intents', 'payment_intents.list', ({ params }) => {
    onlyKnown(params, ['limit', 'starting_after', 'ending_before', 'customer', 'created', 'expand']);
    const customer = stringParam(params, 'customer');
    const inWindow = createdFilter(params);
    const items = newestFirst(ledger.intents.values()).filter(
      (intent) => (customer === undefined || intent.customer === customer) && inWindow(intent.created),
    );
    const page = paginate(items, params, '/v1/payment_intents', 'payment_intent');
    return { body: expand(structuredClone(page), arrayParam(params, 'expand'), lookups) };
  });

  api.get('/payment_intents/search', 'payment_intents.search', ({ params }) => {
    onlyKnown(params, ['query', 'limit', 'page', 'expand']);
    const query = stringParam(params, 'query');
    if (query === undefined || query.trim() === '') throw missingParam('query');
    const parsed = parseSearchQuery(query, options.maxSearchClauses);
    const limit = limitParam(params);
    const offset = pageOffset(stringParam(params, 'page'), query);
    const found = newestFirst([...ledger.intents.values()].filter(queryMatcher(parsed)));
    const data = found.slice(offset, offset + limit);
    const hasMore = offset + limit < found.length;
    const paths = arrayParam(params, 'expand') ?? [];
    const result = {
      object: 'search_result' as const,
      data: structuredClone(data),
      has_more: hasMore,
      // Stripe leaves next_page out of the last page (its description marks it optional; stripe-mock omits it too).
      ...(hasMore ? { next_page: pageToken(query, offset + limit) } : {}),
      url: '/v1/payment_intents/search',
      ...(paths.includes('total_count') ? { total_count: found.length } : {}),
    };
    return { body: expand(result, paths.filter((path) => path !== 'total_count'), lookups) };
  });

  api.get('/payment_intents/:intent', 'payment_intents.retrieve', ({ params, path }) => {
    onlyKnown(params, ['expand', 'client_secret']);
    return answer(intentOf(path.intent), params);
  });

  api.post('/payment_intents/:intent/confirm', 'payment_intents.confirm', ({ params, path, events }) => {
    onlyKnown(params, ['payment_method', 'capture_method', 'expand', 'return_url', 'receipt_email']);
    const intent = intentOf(path.intent);
    const paymentMethod = paymentMethodParam(params);
    const captureMethod = enumParam(params, 'capture_method', CAPTURE_METHODS);
    ledger.confirm(
      intent,
      {
        ...(paymentMethod !== undefined ? { paymentMethod } : {}),
        ...(captureMethod !== undefined ? { captureMethod } : {}),
      },
      events,
    );
    return answer(intent, params);
  });

  api.post('/payment_intents/:intent/capture', 'payment_intents.capture', ({ params, path, events }) => {
    onlyKnown(params, ['amount_to_capture', 'expand', 'metadata']);
    const intent = intentOf(path.intent);
    const amountToCapture = integerParam(params, 'amount_to_capture');
    const metadata = metadataParam(params);
    ledger.capture(intent, amountToCapture, events);
    if (metadata) Object.assign(intent.metadata, metadata);
    return answer(intent, params);
  });

  api.post('/payment_intents/:intent/cancel', 'payment_intents.cancel', ({ params, path, events }) => {
    onlyKnown(params, ['cancellation_reason', 'expand']);
    const intent = intentOf(path.intent);
    const reason = enumParam(params, 'cancellation_reason', CANCELLATION_REASONS);
    ledger.cancel(intent, reason, events);
    return answer(intent, params);
  });
}

/** Payment method ids are `pm_...`; Stripe's test methods (`pm_card_visa`, `pm_card_chargeDeclined`) included. */
function paymentMethodParam(params: Params): string | undefined {
  const value = stringParam(params, 'payment_method');
  if (value !== undefined && !/^pm_\w+$/.test(value)) {
    throw invalid(`No such PaymentMethod: '${value}'`, { code: 'resource_missing', param: 'payment_method' });
  }
  return value;
}

/**
 * A page token names its query by a digest, not the query itself: Stripe's description caps `next_page` at 5,000
 * characters, and a wide query (the demo allows 500 clauses) carried whole would pass it.
 */
function pageToken(query: string, offset: number): string {
  return Buffer.from(JSON.stringify({ q: queryDigest(query), o: offset }), 'utf8').toString('base64url');
}

const queryDigest = (query: string): string => createHash('sha256').update(query).digest('base64url').slice(0, 22);

function pageOffset(page: string | undefined, query: string): number {
  if (page === undefined) return 0;
  try {
    const decoded = JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as { q?: unknown; o?: unknown };
    if (decoded.q === queryDigest(query) && typeof decoded.o === 'number' && Number.isSafeInteger(decoded.o) && decoded.o >= 0) {
      return decoded.o;
    }
  } catch {
    // Falls through to the refusal below: a page token that does not decode is as invalid as one for another query.
  }
  throw invalid('The page token is invalid or belongs to a different query.', { param: 'page' });
}
