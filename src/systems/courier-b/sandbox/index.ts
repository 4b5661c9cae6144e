import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SandboxDefinition } from '../../kit/sandbox';
import { checkedAgainstDescription, errorBody } from './checked';
import type { EstateSeed } from '../../kit/seed';
import {
  isFailure,
  notFound,
  SANDBOX_CARRIER_CODE,
  SHIPMENT_STATUSES,
  ShipmentLedger,
  TRACKING_STATUS_CODES,
  WEIGHT_UNITS,
  type Failure,
  type ParcelTracking,
  type ShipEngineLabel,
  type ShipEngineShipment,
  labelPathOf,
} from './shipments';

export { SPEC_VIOLATIONS, type SpecViolation } from './checked';
export {
  estateBookings,
  SANDBOX_CARRIER_CODE,
  SHIPMENT_STATUSES,
  TRACKING_STATUS_CODES,
  type ParcelTracking,
  type ShipEngineLabel,
  type ShipEngineShipment,
  type ShipEngineShipmentStatus,
  type TrackingStatusCode,
} from './shipments';

/** What a client needs to talk to courier B's sandbox account. */
export interface CourierBSandboxCredentials {
  /** Sent in the `API-Key` header. */
  readonly apiKey: string;
  /** The account's one connected carrier. */
  readonly carrierId: string;
  /** The carrier's services the account may book. */
  readonly serviceCodes: readonly string[];
}

export const COURIER_B_SANDBOX_CREDENTIALS: CourierBSandboxCredentials = {
  apiKey: 'TEST_courier_b_sandbox_key',
  carrierId: 'se-100001',
  serviceCodes: ['courier_b_standard', 'courier_b_express'],
};

/** The sandbox account's warehouse, as our address: where its shipments leave from (`ship_from`). */
export const COURIER_B_SANDBOX_SHIP_FROM = {
  name: 'Plugboard demo warehouse',
  phone: '+31 20 555 0100',
  line1: 'Westerdok 12',
  city: 'Amsterdam',
  region: 'NH',
  postalCode: '1013 BH',
  countryCode: 'NL',
  residential: false,
} as const;

export interface CourierBSandboxOptions {
  /** The API key the sandbox accepts. @default COURIER_B_SANDBOX_CREDENTIALS.apiKey */
  readonly apiKey?: string;
  /** Told of each scan the carrier makes (`POST /_sandbox/tracking/:tracking_number`): the sandbox's track webhook. @default nothing */
  readonly onScanned?: (trackingNumber: string, tracking: ParcelTracking) => void;
}

/** Largest `page_size` the sandbox serves. */
export const MAX_PAGE_SIZE = 500;

/**
 * Courier B: ShipEngine's JSON API (`API-Key` header; ShipEngine's field names, statuses and error body), on the flows
 * ShipEngine documents (https://www.shipengine.com/docs/):
 *
 * `POST /v1/shipments` (a shipment is created `pending`, without a label), `GET /v1/shipments/:shipment_id`,
 * `GET /v1/shipments/external_shipment_id/:id` (a shipment by the id its creator gave it),
 * `PUT /v1/shipments/:shipment_id/cancel` (204), `GET /v1/shipments` (page, page_size, shipment_status,
 * created/modified ranges, sort_by, sort_dir; `sales_order_id` names ShipEngine's own sales orders, of which this
 * account has none), `POST /v1/labels/shipment/:shipment_id` (buys the label: `label_purchased`),
 * `GET /v1/labels` (shipment_id, tracking_number, created ranges, page, page_size, sort_dir), `GET /v1/tracking` (carrier_code, tracking_number: the carrier's
 * status and events).
 *
 * Where the sandbox decides what ShipEngine leaves to the carrier or the account, documented here:
 * - a repeated create with the same `external_shipment_id` and the same content answers the shipment already made
 *   (ShipEngine does not say; the adapter looks the id up before it creates, so it never relies on this);
 * - a bought label's parcel is accepted (`ac`) at once; `POST /_sandbox/tracking/:tracking_number` {status_code} is
 *   the carrier scanning it (tests move parcels with it; not part of ShipEngine's API, nor checked against it);
 * - cancelling voids a label whose parcel the carrier has not yet taken (ac, ny, un); later ones are refused
 *   (`invalid_status`).
 *
 * Every request (after its API key) and every answer is checked against ShipEngine's own description
 * (`shipengine.trimmed.json`, see ./spec.ts): a request outside it is refused with ShipEngine's 400, an answer outside
 * it (a sandbox defect) becomes a 500, and each is written to `records.collection('spec-violations')`. Nothing the
 * sandbox answers is left out of that check.
 */
export function createCourierBSandbox(estate: EstateSeed, options: CourierBSandboxOptions = {}): SandboxDefinition {
  const apiKey = options.apiKey ?? COURIER_B_SANDBOX_CREDENTIALS.apiKey;
  return {
    name: 'courier-b',
    failureBody: (status, message) => ({
      contentType: 'application/json',
      body: JSON.stringify(
        errorBody(status === 429 ? 'rate_limit_exceeded' : 'unspecified', 'system', message),
      ),
    }),
    routes: async (app, { records }) => {
      const ledger = new ShipmentLedger(records, COURIER_B_SANDBOX_CREDENTIALS.carrierId);
      ledger.seed(estate, COURIER_B_SANDBOX_CREDENTIALS.serviceCodes[0] ?? 'courier_b_standard');
      await app.register(async (api) => {
        checkedAgainstDescription(api, records);
        shipEngineRoutes(api, ledger, apiKey);
      });
      // The carrier's side, outside ShipEngine's API: a parcel scanned (tests move parcels along with it).
      app.post<{ Params: { tracking_number: string } }>('/_sandbox/tracking/:tracking_number', async (request, reply) => {
        const code = z.object({ status_code: z.enum(TRACKING_STATUS_CODES) }).safeParse(request.body);
        if (!code.success) return sendValidation(reply, code.error);
        const moved = ledger.scan(request.params.tracking_number, code.data.status_code);
        if (moved) options.onScanned?.(request.params.tracking_number, moved);
        return moved ?? reply.code(404).send(errorBody('invalid_identifier', 'validation', `no parcel ${request.params.tracking_number}`));
      });
    },
  };
}

const dateTime = z.iso.datetime({ offset: true });
/** What every ShipEngine list takes: paging, a creation window and the sort (list_shipments, list_labels). */
const pagedQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(25),
  created_at_start: dateTime.optional(),
  created_at_end: dateTime.optional(),
  sort_dir: z.enum(['asc', 'desc']).default('desc'),
});
const listQuerySchema = pagedQuerySchema.extend({
  shipment_status: z.enum(SHIPMENT_STATUSES).optional(),
  /** ShipEngine's own sales orders: this account has none, so the filter matches nothing. */
  sales_order_id: z.string().min(1).optional(),
  modified_at_start: dateTime.optional(),
  modified_at_end: dateTime.optional(),
  sort_by: z.enum(['modified_at', 'created_at']).default('created_at'),
});
/** `GET /v1/labels`: labels have no modified_at the sandbox keeps, so both sorts are by creation. */
const labelQuerySchema = pagedQuerySchema.extend({
  shipment_id: z.string().min(1).optional(),
  tracking_number: z.string().min(1).optional(),
  sort_by: z.enum(['modified_at', 'created_at']).default('created_at'),
});
type PagedQuery = z.infer<typeof pagedQuerySchema>;

/**
 * Whether an ISO time is in [start, end]: ShipEngine's description (list_labels: created_at_start "on or after",
 * created_at_end "on or before"; list_shipments: created/modified "after" / "before" a time, which the sandbox reads
 * the same way) includes both ends. The adapter widens its window a second each side, so it relies on neither.
 */
const within = (value: string, start?: string, end?: string): boolean =>
  (start === undefined || Date.parse(value) >= Date.parse(start)) && (end === undefined || Date.parse(value) <= Date.parse(end));

/** One page of a sorted list as ShipEngine answers it: `total`, `page`, `pages` (at least 1) and `links`. */
function paged<T>(request: FastifyRequest, query: PagedQuery, sorted: readonly T[]) {
  const pages = Math.max(1, Math.ceil(sorted.length / query.page_size));
  const start = (query.page - 1) * query.page_size;
  return {
    items: sorted.slice(start, start + query.page_size),
    paging: { total: sorted.length, page: query.page, pages, links: pageLinks(request, query.page, pages) },
  };
}

/** Sorted by a time field then id, in the direction asked. */
function sortedBy<T extends { readonly created_at: string }>(items: T[], key: (item: T) => string, id: (item: T) => string, dir: 'asc' | 'desc'): T[] {
  return items.sort((a, b) => {
    const order = Date.parse(key(a)) - Date.parse(key(b)) || id(a).localeCompare(id(b));
    return dir === 'asc' ? order : -order;
  });
}
/** What the sandbox keeps of an address; ShipEngine's description has already checked it. */
const addressSchema = z.object({
  name: z.string().trim().min(1),
  phone: z.string().min(1).optional(),
  company_name: z.string().nullish(),
  address_line1: z.string().min(1),
  address_line2: z.string().nullish(),
  city_locality: z.string().min(1),
  state_province: z.string().min(1),
  postal_code: z.string().min(1),
  country_code: z.string().length(2),
  address_residential_indicator: z.enum(['yes', 'no', 'unknown']),
});
const createSchema = z.object({
  shipments: z
    .array(
      z.object({
        carrier_id: z.string().min(1),
        service_code: z.enum(COURIER_B_SANDBOX_CREDENTIALS.serviceCodes as [string, ...string[]]),
        external_shipment_id: z.string().min(1).max(50).nullish(),
        external_order_id: z.string().min(1).max(100).nullish(),
        shipment_number: z.string().max(50).nullish(),
        ship_to: addressSchema,
        ship_from: addressSchema,
        packages: z
          .array(
            z.object({
              package_code: z.string().default('package'),
              weight: z.object({ value: z.number().positive(), unit: z.enum(WEIGHT_UNITS) }),
            }),
          )
          .min(1),
      }),
    )
    .min(1)
    .max(100),
});

function shipEngineRoutes(api: FastifyInstance, ledger: ShipmentLedger, apiKey: string): void {
  api.addHook('onRequest', async (request, reply) => {
    if (request.headers['api-key'] === apiKey) return;
    const message = 'The API key is invalid. Please see https://www.shipengine.com/docs/auth';
    return reply.code(401).send(errorBody('unauthorized', 'security', message));
  });

  api.get('/v1/shipments', { config: { operation: 'shipments.list' } }, async (request, reply) => {
    const parsed = listQuerySchema.safeParse(request.query);
    if (!parsed.success) return sendValidation(reply, parsed.error);
    const query = parsed.data;
    const matching = [...ledger.shipments.values()]
      .filter(() => query.sales_order_id === undefined)
      .filter(
        (shipment) =>
          (query.shipment_status === undefined || shipment.shipment_status === query.shipment_status) &&
          within(shipment.created_at, query.created_at_start, query.created_at_end) &&
          within(shipment.modified_at, query.modified_at_start, query.modified_at_end),
      );
    const { items, paging } = paged(request, query, sortedBy(matching, (shipment) => shipment[query.sort_by], (shipment) => shipment.shipment_id, query.sort_dir));
    return { shipments: items, ...paging };
  });

  api.post('/v1/shipments', { config: { operation: 'shipments.create' } }, async (request, reply) => {
    const parsed = createSchema.safeParse(request.body);
    if (!parsed.success) return sendValidation(reply, parsed.error);
    const created: ShipEngineShipment[] = [];
    for (const shipment of parsed.data.shipments) {
      const outcome = ledger.create({
        carrier_id: shipment.carrier_id,
        service_code: shipment.service_code,
        external_shipment_id: shipment.external_shipment_id ?? null,
        external_order_id: shipment.external_order_id ?? null,
        shipment_number: shipment.shipment_number ?? null,
        ship_to: shipment.ship_to,
        ship_from: shipment.ship_from,
        packages: shipment.packages,
      });
      if (isFailure(outcome)) return sendFailure(reply, outcome);
      created.push(outcome);
    }
    return {
      has_errors: false,
      shipments: created.map((shipment) => ({ ...shipment, errors: [] })),
    };
  });

  api.get<{ Params: { shipment_id: string } }>(
    '/v1/shipments/:shipment_id',
    { config: { operation: 'shipments.get' } },
    async (request, reply) => {
      const shipment = ledger.shipments.get(request.params.shipment_id);
      return shipment ?? sendFailure(reply, notFound(request.params.shipment_id));
    },
  );

  api.get<{ Params: { external_shipment_id: string } }>(
    '/v1/shipments/external_shipment_id/:external_shipment_id',
    { config: { operation: 'shipments.getByExternalId' } },
    async (request, reply) => {
      const shipment = ledger.byExternalShipmentId(request.params.external_shipment_id);
      return shipment ?? sendFailure(reply, notFound(request.params.external_shipment_id));
    },
  );

  api.put<{ Params: { shipment_id: string } }>(
    '/v1/shipments/:shipment_id/cancel',
    { config: { operation: 'shipments.cancel' } },
    async (request, reply) => {
      const outcome = ledger.cancel(request.params.shipment_id);
      if (isFailure(outcome)) return sendFailure(reply, outcome);
      return reply.code(204).send();
    },
  );

  api.post<{ Params: { shipment_id: string } }>(
    '/v1/labels/shipment/:shipment_id',
    { config: { operation: 'labels.purchase' } },
    async (request, reply) => {
      const label = ledger.buyLabel(request.params.shipment_id);
      if ('code' in label) return sendFailure(reply, label);
      return withDownload(request, label);
    },
  );

  api.get('/v1/labels', { config: { operation: 'labels.list' } }, async (request, reply) => {
    const parsed = labelQuerySchema.safeParse(request.query);
    if (!parsed.success) return sendValidation(reply, parsed.error);
    const query = parsed.data;
    const { shipment_id, tracking_number } = query;
    const matching = ledger
      .labelsOf({ shipment_id, tracking_number })
      .filter((label) => within(label.created_at, query.created_at_start, query.created_at_end));
    const { items, paging } = paged(request, query, sortedBy(matching, (label) => label.created_at, (label) => label.label_id, query.sort_dir));
    return { labels: items.map((label) => withDownload(request, label)), ...paging };
  });

  api.get<{ Querystring: { carrier_code?: string; tracking_number?: string } }>(
    '/v1/tracking',
    { config: { operation: 'tracking.get' } },
    async (request, reply) => {
      const { carrier_code, tracking_number } = request.query;
      const parcel = carrier_code === SANDBOX_CARRIER_CODE && tracking_number ? ledger.trackingOf(tracking_number) : undefined;
      if (!parcel || !tracking_number) {
        const message = `no tracking for ${tracking_number ?? '(no tracking number)'} with carrier ${carrier_code ?? '(no carrier code)'}`;
        return sendFailure(reply, { status: 404, type: 'validation', code: 'invalid_identifier', message });
      }
      const last = parcel.events.at(-1);
      return {
        tracking_number,
        tracking_url: `https://tracking.example.invalid/${encodeURIComponent(tracking_number)}`,
        status_code: parcel.status_code,
        status_description: last?.status_description ?? 'Unknown',
        carrier_code,
        carrier_id: ledger.carrierId,
        carrier_detail_code: parcel.status_code.toUpperCase(),
        carrier_status_code: parcel.status_code.toUpperCase(),
        carrier_status_description: last?.carrier_status_description ?? 'Unknown',
        ship_date: parcel.ship_date,
        // Three days after the ship date: the sandbox carrier's one service level.
        estimated_delivery_date: new Date(Date.parse(parcel.ship_date) + 3 * 86_400_000).toISOString(),
        ...(parcel.status_code === 'de' && last ? { actual_delivery_date: last.occurred_at } : {}),
        events: [...parcel.events].reverse(),
      };
    },
  );
}

/** A label as ShipEngine answers it: with where to download it (label_download). */
function withDownload(request: FastifyRequest, label: ShipEngineLabel) {
  const pdf = `${request.protocol}://${request.host}${labelPathOf(label.label_id)}`;
  return { ...label, label_download: { href: pdf, pdf } };
}

function pageLinks(request: FastifyRequest, page: number, pages: number) {
  const href = (n: number): { href: string } => {
    const url = new URL(request.url, `${request.protocol}://${request.host}`);
    url.searchParams.set('page', String(n));
    return { href: url.toString() };
  };
  return {
    first: href(1),
    last: href(Math.max(1, pages)),
    prev: page > 1 ? href(page - 1) : {},
    next: page < pages ? href(page + 1) : {},
  };
}


function sendFailure(reply: FastifyReply, failure: Failure): FastifyReply {
  return reply.code(failure.status).send(errorBody(failure.code, failure.type, failure.message));
}

function sendValidation(reply: FastifyReply, error: z.ZodError): FastifyReply {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || 'request';
  const missing = issue?.code === 'invalid_type' && issue.input === undefined;
  const code = missing ? 'field_value_required' : 'invalid_field_value';
  return reply.code(400).send(errorBody(code, 'validation', `${field}: ${issue?.message ?? 'invalid'}`));
}
