import { createHmac } from 'node:crypto';
import { createSignedSender, type SignedSender } from '../../../webhooks/sandbox-sender';

/**
 * The CRM sandbox's webhooks, signed as HubSpot signs them (v3): `X-HubSpot-Signature-v3` = base64 HMAC-SHA256, keyed
 * with the app's client secret, of method + URI + body + timestamp, the timestamp (ms) in `X-HubSpot-Request-Timestamp`.
 * Source: https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests
 */

/** The headers HubSpot sends with `body` POSTed to `url`, signed at `timestamp` (ms). */
export function hubSpotSignatureHeaders(body: string, url: string, clientSecret: string, timestamp = Date.now()): Record<string, string> {
  const signature = createHmac('sha256', clientSecret).update(`POST${url}${body}${timestamp}`, 'utf8').digest('base64');
  return { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(timestamp) };
}

/** A sender of HubSpot-signed deliveries (a JSON array of events) to the gateway's endpoint. */
export function createCrmWebhookSender(clientSecret: string): SignedSender {
  return createSignedSender((body, target) => hubSpotSignatureHeaders(body, target.toString(), clientSecret));
}

/** The portal, app and subscription the sandbox's events name (HubSpot's own example values). */
const PORTAL_ID = 62515;
const APP_ID = 54321;
const SUBSCRIPTION_ID = 12345;

/** HubSpot's `contact.propertyChange` events for the properties a write changed, one per property. */
export function propertyChangeEvents(contactId: string, changed: Readonly<Record<string, unknown>>, occurredAt: number, nextEventId: () => number): Record<string, unknown>[] {
  return Object.entries(changed).map(([propertyName, value]) => ({
    eventId: nextEventId(),
    subscriptionId: SUBSCRIPTION_ID,
    portalId: PORTAL_ID,
    appId: APP_ID,
    occurredAt,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: Number(contactId),
    propertyName,
    propertyValue: value === null || value === undefined ? '' : String(value),
    changeSource: 'INTEGRATION',
  }));
}
