import { createHmac } from 'node:crypto';
import { createSignedSender, type SignedSender } from '../../../webhooks/sandbox-sender';

/**
 * The Xero sandbox's webhooks, signed as Xero signs them: `x-xero-signature` = base64 HMAC-SHA256 of the raw body with
 * the app's webhook key. Source: https://developer.xero.com/documentation/guides/webhooks/configuring-your-server/
 */

/** The webhook key the sandbox signs with (Xero shows an app's key once, in the developer portal). */
export const XERO_SANDBOX_WEBHOOK_KEY = 'plugboard-demo-xero-webhook-key-0000000000000000000000000000000000000000';

/** The header Xero sends with `body`. */
export function xeroSignatureHeaders(body: string, key: string): Record<string, string> {
  return { 'x-xero-signature': createHmac('sha256', key).update(body, 'utf8').digest('base64') };
}

/** A sender of Xero-signed deliveries (`{ events, firstEventSequence, lastEventSequence, entropy }`). */
export function createXeroWebhookSender(key = XERO_SANDBOX_WEBHOOK_KEY): SignedSender {
  return createSignedSender((body) => xeroSignatureHeaders(body, key));
}
