/**
 * What every inbound webhook shares: the refusals it answers and the store of events seen (replays, redeliveries).
 * A system's own webhook lives in its folder (the payment gateway's: src/systems/payments/webhook.ts).
 */
export { createWebhookEventStore, signatureDigest } from './event-store';
export type { AcceptedEvent, Seen, WebhookEventStore } from './event-store';
export { WEBHOOK_REFUSAL_CODES, WEBHOOK_REFUSALS, WebhookRefusal } from './errors';
export type { WebhookRefusalCode } from './errors';
