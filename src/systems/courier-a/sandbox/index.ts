import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ATTRIBUTE_PREFIX, queuedValidation, type ValidationQueue } from '../../../xml';
import type { RecordStore, SandboxDefinition } from '../../kit/sandbox';
import type { EstateSeed } from '../../kit/seed';
import {
  ALREADY_TRANSMITTED_CODE,
  SHIPMENT_MEDIA_TYPE,
  SHIPMENT_NAMESPACE,
  TRACK_MEDIA_TYPE,
  TRACK_NAMESPACE,
  type CanadaPostAccount,
} from '../canada-post/documents';
import { createCanadaPostValidator } from '../canada-post/schema';
import { labelPathOf, ShipmentBook, type ShipmentRecord } from './shipments';
import { buildXml, messagesXml, parseRequestXml, XML_CONTENT_TYPE } from './xml';

export type { ShipmentRecord } from './shipments';
export { estateBookings } from './shipments';

/** The API key and contract account the sandbox knows (its connection uses them). */
export const COURIER_A_SANDBOX_CREDENTIALS: { readonly username: string; readonly password: string; readonly account: CanadaPostAccount } = {
  username: 'plugboard-sandbox',
  password: 'sandbox-api-key-password',
  account: {
    customerNumber: '2004381',
    contractId: '42708517',
    serviceCode: 'DOM.EP',
    methodOfPayment: 'Account',
    sender: {
      company: 'Plugboard Demo Shop',
      phone: '613-555-0100',
      address: { name: 'Dispatch', line1: '2701 Riverside Dr', city: 'Ottawa', region: 'ON', postalCode: 'K1A0B1', countryCode: 'CA' },
    },
  },
};

export interface CourierASandboxOptions {
  /** The TLS material the sandbox serves HTTPS with (Canada Post asks for no client certificate). */
  readonly pki: { readonly ca: string; readonly server: { readonly cert: string; readonly key: string } };
  /** The API key and account it accepts. @default COURIER_A_SANDBOX_CREDENTIALS */
  readonly credentials?: typeof COURIER_A_SANDBOX_CREDENTIALS;
  /**
   * Whether every answer is held to Canada Post's schema after it is sent (the sandbox's check of itself; requests
   * are always checked, as Canada Post refuses those outside it). Off in the benchmark's estate, where each xmllint run
   * took the one core the stand-ins share for tens of milliseconds. @default true
   */
  readonly checkAnswers?: boolean;
}

/** Where the sandbox writes each document outside Canada Post's schema it saw: `records.collection(...)`. */
export const SPEC_VIOLATIONS = 'spec-violations';

/** Courier A's sandbox, with its schema checks: answers are checked after they are sent, `settled()` waits for them. */
export interface CourierASandboxDefinition extends SandboxDefinition {
  readonly schemaChecks: Pick<ValidationQueue, 'settled'>;
}

/** A document outside Canada Post's schema: a request refused, or (a sandbox defect) an answer it would have sent. */
export interface SpecViolation {
  readonly side: 'request' | 'answer';
  readonly operation: string;
  readonly problems: readonly string[];
}

/**
 * Courier A: Canada Post's Contract Shipping (REST, shipment-v8) and Tracking (track-v2) services, over HTTPS with
 * HTTP Basic, as its developer documentation describes them (pages named in docs/estate.md):
 * - `POST /rs/{mailed by}/{mobo}/shipment` Create Shipment (`shipment` -> `shipment-info`);
 * - `GET /rs/{mailed by}/{mobo}/shipment?groupId=|requestId=|trackingPIN=` Get Shipments (links, or the
 *   `shipment-info`s with `provideShipmentInfo=true`; by group only the shipments not yet transmitted);
 * - `GET …/shipment/{id}` Get Shipment, `GET …/shipment/{id}/details` Get Shipment Details;
 * - `DELETE …/shipment/{id}` Void Shipment (204; the shipment is deleted; 8064 once transmitted);
 * - `GET /vis/track/pin/{pin}/summary` Get Tracking Summary.
 * Every request's Accept (and a body's Content-Type) must name the service's media type. Every request body and every
 * answer is validated against Canada Post's schema (../canada-post): a request outside it is refused with a 400
 * `<messages>`; an answer is sent, then checked (xmllint runs are slow: answers are checked together, in the
 * background), and one outside it (a sandbox defect) is written down. Both land in `spec-violations`. Codes
 * Canada Post's pages do not give (authentication, schema failures, unknown PIN) are the sandbox's own.
 */
export function createCourierASandbox(estate: EstateSeed, options: CourierASandboxOptions): CourierASandboxDefinition {
  const credentials = options.credentials ?? COURIER_A_SANDBOX_CREDENTIALS;
  const checks = queuedValidation(createCanadaPostValidator());
  return {
    name: 'courier-a',
    schemaChecks: checks,
    https: { key: options.pki.server.key, cert: options.pki.server.cert },
    contentTypes: ['application/xml', 'text/xml', SHIPMENT_MEDIA_TYPE],
    failureBody: (status, message) => ({
      contentType: XML_CONTENT_TYPE,
      body: messagesXml(status === 429 ? 'RATE_LIMITED' : 'SERVICE_UNAVAILABLE', message),
    }),
    routes: async (app, { records }) => {
      const book = new ShipmentBook(records);
      book.seed(estate, credentials.account);
      await app.register(async (api) => canadaPostRoutes(api, { book, records, credentials, checks, checkAnswers: options.checkAnswers ?? true }));
    },
  };
}

type Params = { mailedBy: string; mobo: string; id: string; pin: string };

interface RouteContext {
  readonly book: ShipmentBook;
  readonly records: RecordStore;
  readonly credentials: typeof COURIER_A_SANDBOX_CREDENTIALS;
  readonly checks: ValidationQueue;
  readonly checkAnswers: boolean;
}

function canadaPostRoutes(api: FastifyInstance, { book, records, credentials, checks, checkAnswers }: RouteContext): void {
  const violations = records.collection<SpecViolation>(SPEC_VIOLATIONS);
  const violation = (entry: SpecViolation): void => {
    violations.set(String(violations.size + 1), entry);
  };
  const account = credentials.account;
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;

  api.addHook('onRequest', async (request, reply) => {
    if (request.headers.authorization !== expected) {
      return sendMessages(reply.header('www-authenticate', 'Basic realm="Canada Post"'), 401, 'E002', 'AAA Authentication Failure');
    }
    const { mailedBy, mobo } = request.params as Partial<Params>;
    if (mailedBy !== undefined && (mailedBy !== account.customerNumber || mobo !== (account.mobo ?? account.customerNumber))) {
      return sendMessages(reply, 403, 'AA004', 'You cannot mail on behalf of the requested customer.');
    }
    const mediaType = request.url.startsWith('/vis/') ? TRACK_MEDIA_TYPE : SHIPMENT_MEDIA_TYPE;
    if (request.headers.accept !== mediaType) {
      return sendMessages(reply, 406, 'Server', `Accept must be ${mediaType} (*/* is refused)`);
    }
    return undefined;
  });

  /** Sends an answer, then holds it to the schema: one outside it is a sandbox defect, written down. */
  const answer = (reply: FastifyReply, operation: string, status: number, mediaType: string, document: Record<string, unknown>): FastifyReply => {
    const text = buildXml(document);
    if (checkAnswers) {
      checks.problemsOf(text).then(
        (problems) => problems.length > 0 && violation({ side: 'answer', operation, problems }),
        (error: unknown) => violation({ side: 'answer', operation, problems: [`not checked: ${(error as Error).message}`] }),
      );
    }
    return reply.code(status).header('content-type', mediaType).send(text);
  };
  const origin = (request: FastifyRequest): string => `https://${request.headers.host ?? '127.0.0.1'}`;
  const basePath = `/rs/${account.customerNumber}/${account.mobo ?? account.customerNumber}/shipment`;

  api.post<{ Params: Params }>('/rs/:mailedBy/:mobo/shipment', { config: { operation: 'createShipment' } }, async (request, reply) => {
    if (!String(request.headers['content-type'] ?? '').startsWith(SHIPMENT_MEDIA_TYPE)) {
      return sendMessages(reply, 415, 'Server', `Content-Type must be ${SHIPMENT_MEDIA_TYPE}`);
    }
    const body = typeof request.body === 'string' ? request.body : '';
    const parsed = parseRequestXml(body);
    if (!parsed.ok) return sendMessages(reply, 400, parsed.code, parsed.message);
    const problems = await checks.problemsOf(body);
    if (problems.length > 0) {
      violation({ side: 'request', operation: 'createShipment', problems });
      return sendMessages(reply, 400, 'Server', problems.join('; '));
    }
    const { [`${ATTRIBUTE_PREFIX}xmlns`]: _namespace, ...shipment } = parsed.document['shipment'] as Record<string, unknown>;
    const created = book.create(shipment);
    return answer(reply, 'createShipment', 200, SHIPMENT_MEDIA_TYPE, { 'shipment-info': shipmentInfo(created, origin(request), basePath) });
  });

  api.get<{ Params: Params; Querystring: Record<string, string | undefined> }>('/rs/:mailedBy/:mobo/shipment', { config: { operation: 'getShipments' } }, async (request, reply) => {
    const { groupId, requestId, trackingPIN, provideShipmentInfo } = request.query;
    const keys = [groupId, requestId, trackingPIN].filter((value) => value !== undefined);
    if (keys.length !== 1 || (provideShipmentInfo !== undefined && provideShipmentInfo !== 'true')) {
      return sendMessages(reply, 400, 'Server', 'Get Shipments takes one of groupId, requestId or trackingPIN, and provideShipmentInfo=true');
    }
    const found =
      groupId !== undefined ? book.inGroup(groupId)
      : requestId !== undefined ? [book.byRequestId(requestId)].filter((record) => record !== undefined)
      : [book.byTrackingPin(trackingPIN!)].filter((record) => record !== undefined);
    const base = origin(request);
    const shipments = provideShipmentInfo
      ? { 'shipment-info': found.map((record) => shipmentInfo(record, base, basePath)) }
      : { link: found.map((record) => link('shipment', `${base}${basePath}/${record.shipmentId}`, SHIPMENT_MEDIA_TYPE)) };
    return answer(reply, 'getShipments', 200, SHIPMENT_MEDIA_TYPE, { shipments: { [`${ATTRIBUTE_PREFIX}xmlns`]: SHIPMENT_NAMESPACE, ...shipments } });
  });

  api.get<{ Params: Params }>('/rs/:mailedBy/:mobo/shipment/:id', { config: { operation: 'getShipment' } }, async (request, reply) => {
    const record = book.get(request.params.id);
    if (!record) return sendMessages(reply, 404, '9110', `Shipment ${request.params.id} not found`);
    return answer(reply, 'getShipment', 200, SHIPMENT_MEDIA_TYPE, { 'shipment-info': shipmentInfo(record, origin(request), basePath) });
  });

  api.get<{ Params: Params }>('/rs/:mailedBy/:mobo/shipment/:id/details', { config: { operation: 'getShipmentDetails' } }, async (request, reply) => {
    const record = book.get(request.params.id);
    if (!record) return sendMessages(reply, 404, '9110', `Shipment ${request.params.id} not found`);
    return answer(reply, 'getShipmentDetails', 200, SHIPMENT_MEDIA_TYPE, { 'shipment-details': shipmentDetails(record, account) });
  });

  api.delete<{ Params: Params }>('/rs/:mailedBy/:mobo/shipment/:id', { config: { operation: 'voidShipment' } }, async (request, reply) => {
    const record = book.get(request.params.id);
    if (!record) return sendMessages(reply, 404, '9110', `Shipment ${request.params.id} not found`);
    if (record.status === 'transmitted') {
      return sendMessages(reply, 400, ALREADY_TRANSMITTED_CODE, 'The shipment has already been transmitted and cannot be voided; request a refund instead.');
    }
    book.void(record.shipmentId);
    return reply.code(204).send();
  });

  api.get<{ Params: Params }>('/vis/track/pin/:pin/summary', { config: { operation: 'getTrackingSummary' } }, async (request, reply) => {
    const record = book.byTrackingPin(request.params.pin);
    if (!record?.tracking) return sendMessages(reply, 404, '004', 'No Pin History');
    const { mailedOn, eventType, description, at } = record.tracking;
    return answer(reply, 'getTrackingSummary', 200, TRACK_MEDIA_TYPE, {
      'tracking-summary': {
        [`${ATTRIBUTE_PREFIX}xmlns`]: TRACK_NAMESPACE,
        'pin-summary': {
          pin: record.trackingPin,
          'mailed-on-date': mailedOn,
          'event-date-time': at.slice(0, 19),
          'event-type': eventType,
          'event-description': description,
          'event-location': 'OTTAWA',
        },
      },
    });
  });
}

function link(rel: string, href: string, mediaType: string, index?: number): Record<string, string> {
  return {
    [`${ATTRIBUTE_PREFIX}rel`]: rel,
    [`${ATTRIBUTE_PREFIX}href`]: href,
    ...(index === undefined ? {} : { [`${ATTRIBUTE_PREFIX}index`]: String(index) }),
    [`${ATTRIBUTE_PREFIX}media-type`]: mediaType,
  };
}

function shipmentInfo(record: ShipmentRecord, origin: string, basePath: string): Record<string, unknown> {
  const self = `${origin}${basePath}/${record.shipmentId}`;
  return {
    [`${ATTRIBUTE_PREFIX}xmlns`]: SHIPMENT_NAMESPACE,
    ...(record.customerRequestId ? { 'customer-request-id': record.customerRequestId } : {}),
    'shipment-id': record.shipmentId,
    'shipment-status': record.status,
    'tracking-pin': record.trackingPin,
    links: {
      link: [
        link('self', self, SHIPMENT_MEDIA_TYPE),
        link('details', `${self}/details`, SHIPMENT_MEDIA_TYPE),
        link('label', `${origin}${labelPathOf(record.shipmentId)}`, 'application/pdf', 0),
      ],
    },
  };
}

function shipmentDetails(record: ShipmentRecord, account: CanadaPostAccount): Record<string, unknown> {
  const { 'customer-request-id': _request, 'delivery-spec': deliverySpec, ...rest } = record.request;
  return {
    [`${ATTRIBUTE_PREFIX}xmlns`]: SHIPMENT_NAMESPACE,
    ...(record.customerRequestId ? { 'customer-request-id': record.customerRequestId } : {}),
    'shipment-status': record.status,
    // The Canada Post facility closest to the sender: the sandbox takes the sender's own postal code.
    'final-shipping-point': account.sender.address.postalCode.replace(/\s+/g, '').toUpperCase(),
    'tracking-pin': record.trackingPin,
    'shipment-detail': {
      ...pick(rest, ['group-id', 'transmit-shipment', 'quickship-label-requested', 'expected-mailing-date']),
      'delivery-spec': deliverySpec,
    },
  };
}

function pick(source: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((name) => source[name] !== undefined).map((name) => [name, source[name]]));
}

function sendMessages(reply: FastifyReply, status: number, code: string, description: string): FastifyReply {
  return reply.code(status).header('content-type', XML_CONTENT_TYPE).send(messagesXml(code, description));
}
