/**
 * What every inbound webhook shares: the refusals it answers, the store of events seen (replays, redeliveries, the
 * newest applied per subject), and the kit a system's webhook is made with (verify -> deduplicate -> order -> apply ->
 * remember -> log). A system's own webhook lives in its folder (the payment gateway's: src/systems/payments/webhook.ts;
 * courier B's, the CRM's and the accounting system's: webhook.ts in theirs).
 */
export { createWebhookEventStore, signatureDigest } from './event-store';
export type { AcceptedEvent, NewestApplied, Seen, WebhookEventStore } from './event-store';
export { WEBHOOK_REFUSAL_CODES, WEBHOOK_REFUSALS, WebhookRefusal } from './errors';
export type { WebhookRefusalCode } from './errors';
export { bodyForLog, useSystemWebhook, webhookPluginsOf } from './receive-events';
export type { DeliveryOutcome, InboundEvent, SystemWebhookOptions, VendorWebhook, WebhookDelivery } from './receive-events';
export { rawWebhookRoutes } from './raw-endpoint';
export type { RawEndpointOptions } from './raw-endpoint';
export { checkSignedAt, headerOf, hmacBase64, jsonOf, sameSignature, shapeOf } from './verify';
