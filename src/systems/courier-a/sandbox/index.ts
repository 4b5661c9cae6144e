import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SandboxDefinition } from '../../kit/sandbox';
import type { EstateSeed } from '../../kit/seed';
import {
  CONSIGNMENT_SERVICES,
  ConsignmentBook,
  type ConsignmentRecord,
  type Outcome,
} from './consignments';
import { buildXml, faultXml, parseRequestXml, XML_CONTENT_TYPE } from './xml';

export {
  CONSIGNMENT_SERVICES,
  CONSIGNMENT_STATUS_CODES,
  type ConsignmentRecord,
  type ConsignmentService,
  type ConsignmentStatusCode,
} from './consignments';

export interface CourierASandboxOptions {
  /** The TLS material the carrier serves: the CA it trusts client certificates from, and its own certificate. */
  readonly pki: { readonly ca: string; readonly server: { readonly cert: string; readonly key: string } };
}

/** Most references one track request may carry. */
export const MAX_TRACK_REFERENCES = 500;

/**
 * Courier A: a European parcel carrier speaking XML over HTTPS with mutual TLS.
 *
 * - `POST /api/v2/track` `<TrackRequest>` with any number (up to {@link MAX_TRACK_REFERENCES}) of `<Reference>`
 *   (the shipper's order reference) or `<ConsignmentNo>` elements answers `<TrackResponse>` with one
 *   `<Consignment>` per consignment found.
 * - `POST /api/v2/consignments` `<ShipmentRequest>` books a consignment (`<ShipmentResponse>`, 201; a replayed
 *   idempotency key answers the same consignment with 200).
 * - `POST /api/v2/consignments/cancel` `<CancelRequest>` cancels one not yet handed over (`<CancelResponse>`).
 *
 * Idempotency: an `<IdempotencyKey>` element or an `X-Idempotency-Key` header. Errors: `<Fault><Code/><Message/></Fault>`
 * with the HTTP status that fits. Every carrier route needs a client certificate signed by the CA (403
 * `CLIENT_CERTIFICATE_REQUIRED` otherwise, and the connection is closed); the `/_sandbox` window does not, so tests can
 * drive faults without one. Documents carrying a DOCTYPE or ENTITY declaration are refused.
 */
export function createCourierASandbox(estate: EstateSeed, options: CourierASandboxOptions): SandboxDefinition {
  return {
    name: 'courier-a',
    https: {
      key: options.pki.server.key,
      cert: options.pki.server.cert,
      ca: options.pki.ca,
      requestCert: true,
      // The handshake lets everyone in so that the window stays reachable; carrier routes check `authorized`.
      rejectUnauthorized: false,
    },
    contentTypes: ['application/xml', 'text/xml'],
    failureBody: (status, message) => ({
      contentType: XML_CONTENT_TYPE,
      body: faultXml(status === 429 ? 'RATE_LIMITED' : 'SERVICE_UNAVAILABLE', message),
    }),
    routes: async (app, { records }) => {
      const book = new ConsignmentBook(records);
      book.seed(estate);
      await app.register(async (api) => carrierRoutes(api, book));
    },
  };
}

const text = z.string().trim();
const trackRequestSchema = z.object({
  TrackRequest: z.object({
    Reference: z.array(text.min(1).max(64)).optional(),
    ConsignmentNo: z.array(text.min(1).max(32)).optional(),
  }),
});
const shipmentRequestSchema = z.object({
  ShipmentRequest: z.object({
    IdempotencyKey: text.min(1).max(255).optional(),
    Reference: text.min(1).max(64),
    Service: z.enum(CONSIGNMENT_SERVICES).optional(),
    Parcels: z
      .string()
      .regex(/^\d{1,2}$/, 'must be a whole number of parcels')
      .transform(Number)
      .pipe(z.number().int().min(1).max(99)),
    Receiver: z.object({
      Name: text.min(1).max(120),
      Phone: text.max(40).optional(),
    }),
  }),
});
const cancelRequestSchema = z.object({
  CancelRequest: z.object({
    IdempotencyKey: text.min(1).max(255).optional(),
    ConsignmentNo: text.min(1).max(32),
  }),
});

function carrierRoutes(api: FastifyInstance, book: ConsignmentBook): void {
  api.addHook('onRequest', async (request, reply) => {
    if ((request.raw.socket as TLSSocket).authorized) return;
    return sendFault(reply.header('connection', 'close'), 403, 'CLIENT_CERTIFICATE_REQUIRED',
      'A client certificate issued by the carrier CA is required');
  });

  api.post('/api/v2/track', { config: { operation: 'track' } }, async (request, reply) => {
    const body = readBody(request, reply, trackRequestSchema);
    if (!body) return reply;
    const references = body.TrackRequest.Reference ?? [];
    const numbers = body.TrackRequest.ConsignmentNo ?? [];
    if (references.length + numbers.length === 0) {
      return sendFault(reply, 400, 'VALIDATION_FAILED', 'TrackRequest needs at least one Reference or ConsignmentNo');
    }
    if (references.length + numbers.length > MAX_TRACK_REFERENCES) {
      return sendFault(reply, 400, 'TOO_MANY_REFERENCES', `At most ${MAX_TRACK_REFERENCES} references per request`);
    }
    const consignments = book.track(references, numbers);
    return sendXml(reply, 200, { TrackResponse: { Consignment: consignments.map(consignmentXml) } });
  });

  api.post('/api/v2/consignments', { config: { operation: 'book' } }, async (request, reply) => {
    const body = readBody(request, reply, shipmentRequestSchema);
    if (!body) return reply;
    const shipment = body.ShipmentRequest;
    const key = idempotencyKey(request, reply, shipment.IdempotencyKey);
    if (key === undefined) return reply;
    const outcome = book.book(
      {
        Reference: shipment.Reference,
        Service: shipment.Service ?? 'PARCEL_STANDARD',
        Parcels: shipment.Parcels,
        Receiver: { Name: shipment.Receiver.Name, Phone: shipment.Receiver.Phone || null },
      },
      key,
    );
    return sendOutcome(reply, outcome, 'ShipmentResponse', 201);
  });

  api.post('/api/v2/consignments/cancel', { config: { operation: 'cancel' } }, async (request, reply) => {
    const body = readBody(request, reply, cancelRequestSchema);
    if (!body) return reply;
    const key = idempotencyKey(request, reply, body.CancelRequest.IdempotencyKey);
    if (key === undefined) return reply;
    return sendOutcome(reply, book.cancel(body.CancelRequest.ConsignmentNo, key), 'CancelResponse', 200);
  });
}

function readBody<T>(request: FastifyRequest, reply: FastifyReply, schema: z.ZodType<T>): T | null {
  if (typeof request.body !== 'string') {
    sendFault(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send an XML document as application/xml');
    return null;
  }
  const parsed = parseRequestXml(request.body);
  if (!parsed.ok) {
    sendFault(reply, 400, parsed.code, parsed.message);
    return null;
  }
  const checked = schema.safeParse(parsed.document);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue?.path.length ? issue.path.map(String).join('/') : 'document';
    sendFault(reply, 400, 'VALIDATION_FAILED', `${where}: ${issue?.message ?? 'invalid'}`);
    return null;
  }
  return checked.data;
}

/** The key from the header or the element; `undefined` when they disagree (a fault was sent). */
function idempotencyKey(
  request: FastifyRequest,
  reply: FastifyReply,
  element: string | undefined,
): string | null | undefined {
  const header = request.headers['x-idempotency-key'];
  const fromHeader = typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
  if (fromHeader && element && fromHeader !== element) {
    sendFault(reply, 400, 'VALIDATION_FAILED', 'X-Idempotency-Key and IdempotencyKey disagree');
    return undefined;
  }
  return fromHeader ?? element ?? null;
}

function sendOutcome(reply: FastifyReply, outcome: Outcome, root: string, createdStatus: number): FastifyReply {
  if (outcome.kind === 'fault') return sendFault(reply, outcome.status, outcome.code, outcome.message);
  const document = { [root]: { Consignment: consignmentXml(outcome.consignment) } };
  return sendXml(reply, outcome.replayed ? 200 : createdStatus, document);
}

function consignmentXml(consignment: ConsignmentRecord): Record<string, unknown> {
  return {
    ConsignmentNo: consignment.ConsignmentNo,
    Reference: consignment.Reference,
    Barcode: consignment.Barcode,
    StatusCode: consignment.StatusCode,
    Service: consignment.Service,
    Parcels: consignment.Parcels,
    Receiver: { Name: consignment.Receiver.Name, Phone: consignment.Receiver.Phone ?? '' },
    Created: consignment.Created,
    Updated: consignment.Updated,
  };
}

function sendXml(reply: FastifyReply, status: number, document: Record<string, unknown>): FastifyReply {
  return reply.code(status).header('content-type', XML_CONTENT_TYPE).send(buildXml(document));
}

function sendFault(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).header('content-type', XML_CONTENT_TYPE).send(faultXml(code, message));
}
