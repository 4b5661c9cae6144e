import { createHmac, randomBytes } from 'node:crypto';
import { createSignedSender, type SignedSender } from '../../../webhooks/sandbox-sender';
import type { StoredInvoice } from './invoices';

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

/** Xero's delivery of one invoice event (Xero sends no data, only what changed and when; `eventDateUtc` without a zone). */
export function invoiceEventPayload(invoice: StoredInvoice, eventType: 'CREATE' | 'UPDATE', tenantId: string, sequence: number): Record<string, unknown> {
  return {
    events: [
      {
        resourceUrl: `https://api.xero.com/api.xro/2.0/Invoices/${invoice.InvoiceID}`,
        resourceId: invoice.InvoiceID,
        eventDateUtc: new Date(invoice.UpdatedDateUTC).toISOString().replace('Z', ''),
        eventType,
        eventCategory: 'INVOICE',
        tenantId,
        tenantType: 'ORGANISATION',
      },
    ],
    firstEventSequence: sequence,
    lastEventSequence: sequence,
    entropy: randomBytes(10).toString('hex').toUpperCase().slice(0, 20),
  };
}
