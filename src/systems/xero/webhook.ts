import { z } from 'zod';
import { headerOf, hmacBase64, jsonOf, sameSignature, shapeOf, WebhookRefusal, type InboundEvent, type VendorWebhook } from '../../webhooks';

/**
 * Xero's webhooks in (invoice events), verified as Xero signs them: `x-xero-signature` is the base64 HMAC-SHA256 of the
 * raw body, keyed with the app's webhook key. Xero's "intent to receive" check sends deliveries with no events, some
 * signed and some not: a wrong signature must be answered 401, a right one 200 with an empty body, and every event
 * delivery is acknowledged the same way. Xero signs no timestamp: a delivery sent again is the same bytes, told apart
 * only by its events (deduplicated). Events carry no data: resourceId, eventCategory, eventType, eventDateUtc,
 * tenantId; the subscriber reads the record itself.
 * Sources: https://developer.xero.com/documentation/guides/webhooks/configuring-your-server/ (signature, intent to
 * receive, 200 with an empty body, 401), https://developer.xero.com/documentation/guides/webhooks/overview/ (payload),
 * https://github.com/XeroAPI/Xero-OpenAPI/blob/master/xero-webhooks.yaml (its schema).
 */

/** Where Xero sends its events, below the gateway's origin. */
export const XERO_WEBHOOK_PATH = '/webhooks/xero';

const xeroEventSchema = z.looseObject({
  resourceUrl: z.string().max(2048).optional(),
  resourceId: z.string().min(1).max(100),
  eventDateUtc: z.string().min(1).max(64).refine((text) => Number.isFinite(Date.parse(text)), 'expected a date'),
  eventType: z.string().min(1).max(64),
  eventCategory: z.string().min(1).max(64),
  tenantId: z.string().min(1).max(100),
  tenantType: z.string().max(64).optional(),
});
const deliverySchema = z.looseObject({
  events: z.array(xeroEventSchema).max(1000),
  firstEventSequence: z.number().int().optional(),
  lastEventSequence: z.number().int().optional(),
  entropy: z.string().max(100).optional(),
});
type XeroEvent = z.infer<typeof xeroEventSchema>;

/** Xero writes `eventDateUtc` without a zone ("2017-06-21T01:15:39.902"): it is UTC. */
const utc = (text: string): Date => new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);

/** What one Xero event is about: an invoice of our organisation, or nothing we read. */
export function xeroEventOf(event: XeroEvent, tenantId: string | undefined): InboundEvent {
  const ours = tenantId === undefined || event.tenantId === tenantId;
  return {
    // Xero gives an event no id: its organisation, record, type and time name it.
    id: `${event.tenantId}:${event.eventCategory}:${event.resourceId}:${event.eventType}:${event.eventDateUtc}`,
    type: `${event.eventCategory}.${event.eventType}`,
    subject: ours && event.eventCategory === 'INVOICE' ? `invoice:${event.resourceId}` : null,
    occurredAt: utc(event.eventDateUtc),
    state: event.eventType,
  };
}

/** Xero's side of the kit: the body's HMAC with the webhook key (XERO_WEBHOOK_KEY); refusals of a signature are 401. */
export function xeroWebhook(key: string, tenantId?: string): VendorWebhook {
  return {
    emptyAcknowledgement: true,
    async read(delivery) {
      const signature = headerOf(delivery.headers, 'x-xero-signature');
      if (!signature || !sameSignature(hmacBase64(key, delivery.raw), signature)) {
        throw new WebhookRefusal('WEBHOOK_SIGNATURE_INVALID', signature ? 'x-xero-signature does not match the body and our webhook key' : 'no x-xero-signature header', { status: 401 });
      }
      return shapeOf(deliverySchema, jsonOf(delivery.raw)).events.map((event) => xeroEventOf(event, tenantId));
    },
  };
}
