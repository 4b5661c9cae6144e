import { z } from 'zod';
import type { Courier, PostalAddress } from '../../domain';
import { defineSystem } from '../kit/define-system';
import { courierBDoctor } from './doctor';
import { courierBRateLimitHeaders } from './rate-limit-headers';
import { loadShipEngineSpec } from './sandbox/spec';
import { COURIER_CACHE_TTL_MS, COURIER_POLICIES, COURIERS_SUBGRAPH } from '../kit/courier-policies';
import { courierFollowers, courierNamed } from '../kit/courier-followers';
import { createCourierBAdapter, type CourierBAdapterOptions } from './adapter';
import { COURIER_B_SANDBOX_CREDENTIALS, COURIER_B_SANDBOX_SHIP_FROM, createCourierBSandbox, estateBookings } from './sandbox';
import { BACKFILL_POLICIES, bookingBackfillFollowers, type BookingBackfill } from '../kit/courier-backfill';
import { createBookingLedger } from '../../db/booking-ledger';
import type { Database } from '../../db/database';
import { createCourierBWebhookSender, createShipEngineSigningKey, registerJwks, trackEventPayload } from './sandbox/webhooks';
import { SANDBOX_CARRIER_CODE } from './sandbox/shipments';
import { COURIER_B_WEBHOOK_PATH, courierBWebhook, SHIPENGINE_JWKS_URL } from './webhook';
import { documentedGatewayUrl, withSender } from '../../webhooks/sandbox-sender';
import { webhookPluginsOf } from '../../webhooks';

/** The connection to courier B: with where its webhook signing keys are published, when its webhooks are taken. */
export type CourierBConnection = CourierBAdapterOptions & {
  /** The JWKS its webhooks are verified against (ShipEngine's: https://api.shipengine.com/jwks); without one, none are taken. */
  readonly webhookJwksUrl?: string;
};

/** Our address as COURIER_B_SHIP_FROM carries it (JSON). */
const addressSchema = z.object({
  name: z.string().min(1),
  phone: z.string().min(1).nullish(),
  line1: z.string().min(1),
  line2: z.string().nullish(),
  city: z.string().min(1),
  region: z.string(),
  postalCode: z.string().min(1),
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code, e.g. "US"'),
  residential: z.boolean().nullish(),
});
const jsonAddress = z
  .string()
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'must be a JSON object (an address)' });
      return z.NEVER;
    }
  })
  .pipe(addressSchema);

/** Courier B: ShipEngine (shipments, labels, tracking; API-Key header). */
export const courierBSystem = defineSystem<CourierBConnection>({
  name: 'courier-b',
  kind: 'courier',
  title: 'Courier B (ShipEngine-style JSON)',
  auth: 'api-key',
  format: 'json',
  imitates: { latencyMs: [80, 250], vendor: 'ShipEngine', api: 'ShipEngine API v1 (shipments, labels, tracking; API-Key header)', reference: 'https://shipengine.github.io/shipengine-openapi/',
    // No read by a list of ids: a page is matched in the shipments list and the labels list, 500 a page (our setting).
    batchLimit: { keys: 500, requestsPerBatch: 2, source: 'https://shipengine.github.io/shipengine-openapi/ (list shipments, list labels: page, page_size)' } },
  subgraph: COURIERS_SUBGRAPH,
  cacheTtlMs: COURIER_CACHE_TTL_MS,
  settings: {
    COURIER_B_URL: { schema: z.string().url().optional(), doc: 'Base URL of courier B.', required: true },
    COURIER_B_API_KEY: { schema: z.string().optional(), doc: 'Courier B API key.', required: true },
    COURIER_B_CARRIER_ID: { schema: z.string().regex(/^se(-[a-z0-9]+)+$/).optional(), doc: "ShipEngine carrier_id (se-…) shipments are booked on.", required: true },
    COURIER_B_SERVICE_CODE: { schema: z.string().min(1).optional(), doc: 'ShipEngine service_code shipments are booked with (e.g. usps_priority_mail).', required: true },
    COURIER_B_SHIP_FROM: { schema: jsonAddress.optional(), doc: 'Where parcels leave from (ship_from), as JSON: name, phone, line1, city, region, postalCode, countryCode.', required: true },
    COURIER_B_WEBHOOK_JWKS_URL: {
      schema: z.string().url().optional(),
      doc: `Where the keys courier B signs its webhooks with are published (ShipEngine: ${SHIPENGINE_JWKS_URL}); set, POST /webhooks/courier-b takes its track events (x-shipengine-rsa-sha256-signature). Unset with PLUGBOARD_SANDBOXES=off: no endpoint (404).`,
    },
  },
  connect: (settings) => {
    const webhookJwksUrl = settings.get<string | undefined>('COURIER_B_WEBHOOK_JWKS_URL');
    return {
      baseUrl: settings.get('COURIER_B_URL'),
      apiKey: settings.get('COURIER_B_API_KEY'),
      carrierId: settings.get('COURIER_B_CARRIER_ID'),
      serviceCode: settings.get('COURIER_B_SERVICE_CODE'),
      shipFrom: settings.get<PostalAddress>('COURIER_B_SHIP_FROM'),
      ...(webhookJwksUrl ? { webhookJwksUrl } : {}),
    };
  },
  environmentOf: (connection) => ({
    COURIER_B_URL: connection.baseUrl,
    COURIER_B_API_KEY: connection.apiKey,
    COURIER_B_CARRIER_ID: connection.carrierId,
    COURIER_B_SERVICE_CODE: connection.serviceCode,
    COURIER_B_SHIP_FROM: JSON.stringify(connection.shipFrom),
    ...(connection.webhookJwksUrl ? { COURIER_B_WEBHOOK_JWKS_URL: connection.webhookJwksUrl } : {}),
  }),
  sandbox: {
    port: 4105,
    connection: (url) => ({
      baseUrl: url,
      apiKey: COURIER_B_SANDBOX_CREDENTIALS.apiKey,
      carrierId: COURIER_B_SANDBOX_CREDENTIALS.carrierId,
      serviceCode: COURIER_B_SANDBOX_CREDENTIALS.serviceCodes[0] ?? 'courier_b_standard',
      shipFrom: COURIER_B_SANDBOX_SHIP_FROM,
      webhookJwksUrl: `${url}/jwks`,
    }),
    create: ({ estate, ports, tuning }) => {
      // The sandbox publishes its signing key at /jwks and sends ShipEngine-signed track events to the gateway once it
      // listens (POST /_sandbox/webhooks/send).
      const key = createShipEngineSigningKey();
      const webhooks = createCourierBWebhookSender(key);
      webhooks.setTarget(documentedGatewayUrl({ ports, tuning }, COURIER_B_WEBHOOK_PATH));
      // The carrier's scans become ShipEngine track events, sent as ShipEngine sends them.
      const sandbox = createCourierBSandbox(estate, {
        onScanned: (trackingNumber, tracking) => webhooks.sendLater(JSON.stringify(trackEventPayload(trackingNumber, tracking, SANDBOX_CARRIER_CODE))),
      });
      const definition = {
        ...sandbox,
        routes: async (...args: Parameters<typeof sandbox.routes>) => {
          await sandbox.routes(...args);
          registerJwks(args[0], key);
        },
      };
      return { definition: withSender(definition, webhooks), onGatewayOrigin: (origin) => webhooks.setTarget(`${origin}${COURIER_B_WEBHOOK_PATH}`) };
    },
    bookings: estateBookings,
  },
  doctor: courierBDoctor,
  rateLimitHeaders: courierBRateLimitHeaders,
  description: loadShipEngineSpec,
  // The booking ledger (our database) says which orders have a booking here at all and which are settled: a page
  // reads ShipEngine's lists only for the bookings in flight, in the window where they were created.
  serve: ({ connection, resilience, db }) => {
    const adapter = createCourierBAdapter({ ...connection, ledger: db ? createBookingLedger(db as Database) : undefined });
    // `backfill`: the bookings made before the ledger existed, asked for once by the upgrade's outbox job.
    const port = resilience.wrap<Courier & BookingBackfill>('courier-b', adapter, { ...COURIER_POLICIES, ...BACKFILL_POLICIES });
    return { ports: { couriers: [port] }, close: async () => adapter[Symbol.asyncDispose]() };
  },
  // Track events in: they name a tracking number, the read cache is keyed by order id, so every cached shipment read of
  // courier B is dropped (and the gateway's answers made from them end).
  gatewayPlugins: ({ connection, services, invalidate }) =>
    webhookPluginsOf(connection.webhookJwksUrl, services, { system: 'courier-b', path: COURIER_B_WEBHOOK_PATH, vendor: courierBWebhook, apply: () => invalidate('findByOrderIds') }),
  followers: ({ ports, invalidate }) => {
    const courier = courierNamed(ports.couriers, 'courier-b');
    return { ...courierFollowers(courier, { invalidate }), ...bookingBackfillFollowers(courier, ports.store, { invalidate }) };
  },
});
