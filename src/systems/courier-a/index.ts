import { z } from 'zod';
import path from 'node:path';
import type { Courier } from '../../domain';
import { PKI_FILES } from '../../pki';
import { defineSystem } from '../kit/define-system';
import { courierADoctor } from './doctor';
import { COURIER_CACHE_TTL_MS, COURIER_POLICIES, COURIERS_SUBGRAPH } from '../kit/courier-policies';
import { courierFollowers, courierNamed } from '../kit/courier-followers';
import { BACKFILL_POLICIES, bookingBackfillFollowers, type BookingBackfill } from '../kit/courier-backfill';
import { createCourierAAdapter, type CanadaPostAccount, type CourierAAdapterOptions } from './adapter';
import { COURIER_A_SANDBOX_CREDENTIALS, createCourierASandbox, estateBookings } from './sandbox';
import { createBookingLedger } from '../../db/booking-ledger';
import type { Database } from '../../db/database';

/** Where parcels leave from, as COURIER_A_SENDER carries it (JSON): Canada Post requires the company and a phone. */
const senderSchema = z.object({
  company: z.string().min(1).max(44),
  phone: z.string().min(1).max(25),
  address: z.object({
    name: z.string().optional(),
    line1: z.string().min(1).max(44),
    line2: z.string().max(44).nullish(),
    city: z.string().min(1).max(40),
    region: z.string().min(1).max(20),
    postalCode: z.string().min(1).max(14),
    countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code, e.g. "CA"'),
  }),
});
const jsonSender = z
  .string()
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'must be a JSON object: company, phone, address' });
      return z.NEVER;
    }
  })
  .pipe(senderSchema)
  .transform(({ company, phone, address }): CanadaPostAccount['sender'] => ({ company, phone, address: { ...address, name: address.name ?? company } }));
const customerNumber = z.string().regex(/^\d{1,10}$/, 'must be Canada Post customer number: 1 to 10 digits');

/** Courier A: Canada Post's Contract Shipping and Tracking web services (REST, XML, HTTP Basic). */
export const courierASystem = defineSystem<CourierAAdapterOptions>({
  name: 'courier-a',
  kind: 'courier',
  title: 'Courier A (Canada Post, XML)',
  auth: 'basic',
  format: 'xml',
  imitates: {
    latencyMs: [100, 300],
    vendor: 'Canada Post',
    api: 'Contract Shipping REST v8 (application/vnd.cpc.shipment-v8+xml: create, get, details, void shipments) and Tracking (track-v2 summary), HTTP Basic',
    reference: 'https://www.canadapost-postescanada.ca/info/mc/business/productsservices/developers/services/shippingmanifest/createshipment.jsf',
    // Get Shipments takes one group (one order), and a tracking summary one PIN: no batch read.
    batchLimit: { keys: 1, requestsPerBatch: 2, source: 'https://www.canadapost-postescanada.ca/info/mc/business/productsservices/developers/services/shippingmanifest/shipments.jsf (Get Shipments: one groupId a request); Tracking: one PIN a request' },
  },
  subgraph: COURIERS_SUBGRAPH,
  cacheTtlMs: COURIER_CACHE_TTL_MS,
  settings: {
    COURIER_A_URL: { schema: z.string().url().optional(), doc: "Canada Post's web services (production https://soa-gw.canadapost.ca, development https://ct.soa-gw.canadapost.ca).", required: true },
    COURIER_A_USERNAME: { schema: z.string().optional(), doc: "User name of Canada Post's API key (development or production key), sent as HTTP Basic.", required: true },
    COURIER_A_PASSWORD: { schema: z.string().optional(), doc: "Password of that API key, sent as HTTP Basic.", required: true },
    COURIER_A_CUSTOMER_NUMBER: { schema: customerNumber.optional(), doc: 'Canada Post customer number shipments are mailed by (in every shipment URL).', required: true },
    COURIER_A_MOBO: { schema: customerNumber.optional(), doc: 'Customer number shipments are mailed on behalf of; unset: the customer number.' },
    COURIER_A_CONTRACT_ID: { schema: z.string().regex(/^\d{1,10}$/, 'must be digits').optional(), doc: 'Canada Post parcel contract id shipments are billed to.', required: true },
    COURIER_A_SERVICE_CODE: { schema: z.string().min(1).max(32).optional(), doc: 'Canada Post service code shipments are booked with (e.g. DOM.EP, Expedited Parcel).', required: true },
    COURIER_A_PAYMENT_METHOD: { schema: z.enum(['Account', 'CreditCard']).default('Account'), doc: 'intended-method-of-payment of the contract: Account (default) or CreditCard.' },
    COURIER_A_SENDER: { schema: jsonSender.optional(), doc: 'Where parcels leave from, as JSON: company, phone, address (name, line1, city, region, postalCode, countryCode).', required: true },
    COURIER_A_PARCEL_WEIGHT_KG: { schema: z.coerce.number().positive().max(30).default(1), doc: 'Weight declared per parcel for a booking that carries no weights (Canada Post requires one). Default 1.' },
    COURIER_A_CA_FILE: { schema: z.string().optional(), doc: "PEM file of a CA to trust for courier A's server certificate besides the system's (the sandbox's test CA); unset against Canada Post." },
  },
  connect: (settings) => {
    const mobo = settings.get<string | undefined>('COURIER_A_MOBO');
    const account: CanadaPostAccount = {
      customerNumber: settings.get('COURIER_A_CUSTOMER_NUMBER'),
      ...(mobo ? { mobo } : {}),
      contractId: settings.get('COURIER_A_CONTRACT_ID'),
      serviceCode: settings.get('COURIER_A_SERVICE_CODE'),
      methodOfPayment: settings.get('COURIER_A_PAYMENT_METHOD'),
      sender: settings.get<CanadaPostAccount['sender']>('COURIER_A_SENDER'),
      declaredParcelWeightKg: settings.get<number>('COURIER_A_PARCEL_WEIGHT_KG'),
    };
    return {
      baseUrl: settings.get('COURIER_A_URL'),
      username: settings.get('COURIER_A_USERNAME'),
      password: settings.get('COURIER_A_PASSWORD'),
      account,
      ...(settings.get<string | undefined>('COURIER_A_CA_FILE') ? { tls: { ca: settings.file('COURIER_A_CA_FILE') } } : {}),
    };
  },
  // The sandbox's CA is named by file, in the directory where the sandboxes made it.
  environmentOf: (connection, { pkiDir }) => ({
    COURIER_A_URL: connection.baseUrl,
    COURIER_A_USERNAME: connection.username,
    COURIER_A_PASSWORD: connection.password,
    COURIER_A_CUSTOMER_NUMBER: connection.account.customerNumber,
    COURIER_A_CONTRACT_ID: connection.account.contractId,
    COURIER_A_SERVICE_CODE: connection.account.serviceCode,
    COURIER_A_PAYMENT_METHOD: connection.account.methodOfPayment,
    COURIER_A_SENDER: JSON.stringify(connection.account.sender),
    COURIER_A_CA_FILE: path.join(pkiDir, PKI_FILES.ca),
  }),
  sandbox: {
    port: 4104,
    scheme: 'https',
    connection: (url, { pki }) => ({ baseUrl: url, ...COURIER_A_SANDBOX_CREDENTIALS, tls: { ca: pki.ca } }),
    create: ({ estate, pki, tuning }) => ({
      definition: createCourierASandbox(estate, { pki: { ca: pki.ca, server: pki.server }, checkAnswers: tuning.checkAnswers !== false }),
    }),
    bookings: estateBookings,
  },
  doctor: courierADoctor,
  // The booking ledger (our database) makes reads cost only what can have changed: Canada Post has no batch read.
  serve: ({ connection, resilience, db }) => {
    const adapter = createCourierAAdapter({ ...connection, ledger: db ? createBookingLedger(db as Database) : undefined });
    // `backfill`: the bookings made before the ledger existed, asked for once by the upgrade's outbox job.
    const port = resilience.wrap<Courier & BookingBackfill>('courier-a', adapter, { ...COURIER_POLICIES, ...BACKFILL_POLICIES });
    return { ports: { couriers: [port] }, close: async () => adapter[Symbol.asyncDispose]() };
  },
  followers: ({ ports, invalidate }) => {
    const courier = courierNamed(ports.couriers, 'courier-a');
    return { ...courierFollowers(courier, { invalidate }), ...bookingBackfillFollowers(courier, ports.store, { invalidate }) };
  },
});
