import { z } from 'zod';
import { checkSignedAt, headerOf, hmacBase64, jsonOf, sameSignature, shapeOf, WebhookRefusal, type InboundEvent, type VendorWebhook } from '../../webhooks';

/**
 * The CRM's webhooks in (HubSpot's webhooks API: contact events, `contact.propertyChange` among them), verified as
 * HubSpot signs them, v3: `X-HubSpot-Signature-v3` is the base64 HMAC-SHA256, keyed with the app's client secret, of
 * method + URI + body + `X-HubSpot-Request-Timestamp` (ms), and a timestamp older than 5 minutes is refused.
 * Source: https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests ("Validate the v3
 * request signature") and https://developers.hubspot.com/changelog/introducing-version-3-of-webhook-signatures.
 * A delivery is a JSON array of up to 100 events, each with eventId, subscriptionType, objectId, occurredAt (ms),
 * and for a property change propertyName and propertyValue (https://developers.hubspot.com/docs/api/webhooks).
 */

/** Where the CRM sends its events, below the gateway's origin. */
export const CRM_WEBHOOK_PATH = '/webhooks/crm';
/** HubSpot's own rule: "Reject the request if the timestamp is older than 5 minutes". */
export const CRM_WEBHOOK_TOLERANCE_S = 300;

const hubSpotEventSchema = z.looseObject({
  eventId: z.union([z.number().int(), z.string().min(1).max(100)]),
  subscriptionType: z.string().min(1).max(100),
  portalId: z.number().int().optional(),
  objectId: z.union([z.number().int(), z.string().min(1).max(100)]),
  occurredAt: z.number().int().nonnegative(),
  propertyName: z.string().max(100).optional(),
  propertyValue: z.string().max(65_536).nullish(),
});
const deliverySchema = z.array(hubSpotEventSchema).min(1).max(100);
type HubSpotEvent = z.infer<typeof hubSpotEventSchema>;

/** Properties whose values are a person's data: the event's state keeps their name, not their value. */
const PERSONAL = /email|phone|name|address|city|zip|birth/i;

/** What one HubSpot event is about: a contact's property (each property in its own order), or the contact. */
export function crmEventOf(event: HubSpotEvent): InboundEvent {
  const contact = event.subscriptionType.startsWith('contact.') ? `contact:${event.objectId}` : null;
  const property = event.subscriptionType === 'contact.propertyChange' && event.propertyName ? event.propertyName : undefined;
  return {
    id: `${event.portalId ?? 'portal'}:${event.eventId}`,
    type: event.subscriptionType,
    subject: contact && property ? `${contact}:${property}` : contact,
    occurredAt: new Date(event.occurredAt),
    state: property ? (PERSONAL.test(property) ? `${property} changed` : `${property}=${event.propertyValue ?? ''}`) : event.subscriptionType,
  };
}

/** HubSpot's side of the kit: the v3 signature with the app's client secret (CRM_WEBHOOK_SECRET). */
export function crmWebhook(secret: string): VendorWebhook {
  return {
    async read(delivery) {
      const signature = headerOf(delivery.headers, 'x-hubspot-signature-v3');
      const timestamp = headerOf(delivery.headers, 'x-hubspot-request-timestamp');
      if (!signature || !timestamp) throw new WebhookRefusal('WEBHOOK_SIGNATURE_INVALID', 'no X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp header');
      const expected = hmacBase64(secret, Buffer.concat([Buffer.from(`${delivery.method}${delivery.url}`, 'utf8'), delivery.raw, Buffer.from(timestamp, 'utf8')]));
      if (!sameSignature(expected, signature)) {
        throw new WebhookRefusal('WEBHOOK_SIGNATURE_INVALID', 'X-HubSpot-Signature-v3 does not match the method, URI, body and timestamp with our client secret');
      }
      checkSignedAt(Number(timestamp), delivery.receivedAt, CRM_WEBHOOK_TOLERANCE_S);
      return shapeOf(deliverySchema, jsonOf(delivery.raw)).map(crmEventOf);
    },
  };
}
