import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createSignedSender, type SignedSender } from '../../../webhooks/sandbox-sender';
import type { ParcelTracking } from './shipments';

/**
 * The courier B sandbox's webhooks, signed as ShipEngine signs them: RSA-SHA256 over `<timestamp>.<body>`, base64, in
 * `x-shipengine-rsa-sha256-signature`, with `x-shipengine-rsa-sha256-key-id` naming the key and `x-shipengine-timestamp`
 * (ISO 8601); the public keys are served as a JWKS at `GET /jwks`, as ShipEngine serves them at api.shipengine.com/jwks.
 * Source: https://docs.shipstation.com/apis/shipengine/docs/guides/webhooks-validation
 * The key pair is made when the sandbox starts: no private key is kept in the repository.
 */

/** A signing key pair and its id in the JWKS. */
export interface ShipEngineSigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function createShipEngineSigningKey(): ShipEngineSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `sandbox-${createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('hex').slice(0, 16)}`;
  return { kid, privateKey, publicKey };
}

/** The headers ShipEngine sends with `body`, signed at `timestamp`. */
export function shipEngineSignatureHeaders(body: string, key: ShipEngineSigningKey, timestamp = new Date().toISOString()): Record<string, string> {
  const signature = sign('sha256', Buffer.from(`${timestamp}.${body}`, 'utf8'), key.privateKey).toString('base64');
  return { 'x-shipengine-rsa-sha256-key-id': key.kid, 'x-shipengine-rsa-sha256-signature': signature, 'x-shipengine-timestamp': timestamp };
}

/** `GET /jwks`: the public key, as a JWKS. */
export function registerJwks(app: FastifyInstance, key: ShipEngineSigningKey): void {
  app.get('/jwks', async () => ({ keys: [{ ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, alg: 'RS256', use: 'sig' }] }));
}

/** A sender of ShipEngine-signed track events (`{ resource_url, resource_type: "API_TRACK", data }`). */
export function createCourierBWebhookSender(key: ShipEngineSigningKey): SignedSender {
  return createSignedSender((body) => shipEngineSignatureHeaders(body, key));
}

/** ShipEngine's track event for a parcel's tracking as the carrier now reports it. */
export function trackEventPayload(trackingNumber: string, tracking: ParcelTracking, carrierCode: string): Record<string, unknown> {
  const newest = tracking.events.at(-1);
  return {
    resource_url: `https://api.shipengine.com/v1/tracking?carrier_code=${carrierCode}&tracking_number=${encodeURIComponent(trackingNumber)}`,
    resource_type: 'API_TRACK',
    data: {
      tracking_number: trackingNumber,
      status_code: tracking.status_code,
      status_description: newest?.status_description ?? null,
      carrier_status_code: newest?.carrier_status_code ?? null,
      ship_date: tracking.ship_date,
      events: tracking.events,
    },
  };
}
