import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { checkSignedAt, headerOf, jsonOf, shapeOf, WebhookRefusal, type InboundEvent, type VendorWebhook } from '../../webhooks';

/**
 * Courier B's webhooks in (ShipEngine's `track` event), verified as ShipEngine signs them: RSA-SHA256 over
 * `<x-shipengine-timestamp>.<raw body>`, the base64 signature in `x-shipengine-rsa-sha256-signature`, made with the key
 * named by `x-shipengine-rsa-sha256-key-id` among those ShipEngine publishes as a JWKS (https://api.shipengine.com/jwks).
 * As ShipEngine advises: a delivery without the three headers is answered 404 (the endpoint does not show itself), one
 * whose timestamp is more than 5 minutes from our clock, either way, 400.
 * Sources: https://docs.shipstation.com/apis/shipengine/docs/guides/webhooks-validation ("Webhook Validation", the
 * ShipStation API formerly ShipEngine), https://docs.shipstation.com/apis/shipengine/docs/guides/webhooks (the track
 * event: `resource_type` API_TRACK, `data` a tracking status with `tracking_number`, `status_code`, `events[]`).
 */

/** Where courier B sends its tracking events, below the gateway's origin. */
export const COURIER_B_WEBHOOK_PATH = '/webhooks/courier-b';
/** ShipEngine's advice: more than 5 minutes from the current time, either way, is refused. */
export const COURIER_B_WEBHOOK_TOLERANCE_S = 300;
/** Where ShipEngine publishes the keys its webhooks are signed with. */
export const SHIPENGINE_JWKS_URL = 'https://api.shipengine.com/jwks';

const trackSchema = z.looseObject({
  resource_url: z.string().max(2048).optional(),
  resource_type: z.string().min(1).max(64),
  data: z
    .looseObject({
      tracking_number: z.string().min(1).max(100),
      status_code: z.string().min(1).max(8),
      status_description: z.string().max(200).nullish(),
      events: z.array(z.looseObject({ occurred_at: z.string().max(64) })).max(1000).default([]),
    })
    .nullish(),
});
type TrackDelivery = z.infer<typeof trackSchema>;

/**
 * What a track event is about: one tracking number, its status as of its newest scan. ShipEngine gives the event no
 * id: the tracking number, status and newest scan's time name it (the same status at a later scan is a new event).
 */
export function trackEventOf(delivery: TrackDelivery, signedAt: Date): InboundEvent {
  const data = delivery.data;
  if (delivery.resource_type !== 'API_TRACK' || !data) {
    return { id: `${delivery.resource_type}:${delivery.resource_url ?? ''}:${signedAt.toISOString()}`, type: delivery.resource_type, subject: null, occurredAt: signedAt };
  }
  const scans = data.events.map((event) => Date.parse(event.occurred_at)).filter(Number.isFinite);
  // A status with no scan yet is as of when ShipEngine sent it.
  const occurredAt = new Date(scans.length ? Math.max(...scans) : signedAt.getTime());
  return {
    id: `${data.tracking_number}:${data.status_code}:${occurredAt.toISOString()}`,
    type: 'track',
    subject: `tracking:${data.tracking_number}`,
    occurredAt,
    state: data.status_description ? `${data.status_code} ${data.status_description}` : data.status_code,
  };
}

/** The keys of a JWKS, by kid, fetched when a delivery names a kid not held (at most once a minute). */
function jwksKeys(url: string, fetchJson: (url: string) => Promise<unknown>): (kid: string) => Promise<KeyObject | undefined> {
  const keys = new Map<string, KeyObject>();
  let fetchedAt = -Infinity;
  return async (kid) => {
    if (!keys.has(kid) && Date.now() - fetchedAt > 60_000) {
      fetchedAt = Date.now();
      const body = (await fetchJson(url)) as { keys?: (JsonWebKey & { kid?: string })[] };
      for (const jwk of body.keys ?? []) {
        if (jwk.kid && jwk.kty === 'RSA') keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
      }
    }
    return keys.get(kid);
  };
}

const defaultFetchJson = async (url: string): Promise<unknown> => {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`the JWKS at ${url} answered HTTP ${response.status}`);
  return response.json();
};

/** ShipEngine's side of the kit: the RSA signature checked against the JWKS at `jwksUrl` (COURIER_B_WEBHOOK_JWKS_URL). */
export function courierBWebhook(jwksUrl: string, fetchJson = defaultFetchJson): VendorWebhook {
  const keyOf = jwksKeys(jwksUrl, fetchJson);
  return {
    async read(delivery) {
      const kid = headerOf(delivery.headers, 'x-shipengine-rsa-sha256-key-id');
      const signature = headerOf(delivery.headers, 'x-shipengine-rsa-sha256-signature');
      const timestamp = headerOf(delivery.headers, 'x-shipengine-timestamp');
      if (!kid || !signature || !timestamp) {
        throw new WebhookRefusal('WEBHOOK_SIGNATURE_INVALID', 'no x-shipengine-rsa-sha256-key-id, -signature or x-shipengine-timestamp header', { status: 404 });
      }
      let key: KeyObject | undefined;
      try {
        key = await keyOf(kid);
      } catch (error) {
        throw new WebhookRefusal('WEBHOOK_NOT_APPLIED', 'the signing keys could not be fetched now: send it again later', { cause: error });
      }
      const signed = Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), delivery.raw]);
      if (!key || !verify('sha256', signed, key, Buffer.from(signature, 'base64'))) {
        throw new WebhookRefusal('WEBHOOK_SIGNATURE_INVALID', key ? 'x-shipengine-rsa-sha256-signature does not hold for the timestamp and body' : `no published key ${kid}`);
      }
      const signedAt = Date.parse(timestamp);
      try {
        checkSignedAt(signedAt, delivery.receivedAt, COURIER_B_WEBHOOK_TOLERANCE_S);
      } catch (error) {
        throw error instanceof WebhookRefusal ? new WebhookRefusal(error.code, error.message, { status: 400 }) : error;
      }
      return [trackEventOf(shapeOf(trackSchema, jsonOf(delivery.raw)), new Date(signedAt))];
    },
  };
}
