export { DEFAULT_WEBHOOK_TOLERANCE_S, PAYMENTS_WEBHOOK_PATH, usePaymentsWebhook } from './payments-webhook';
export type { PaymentsWebhookOptions } from './payments-webhook';
export { WEBHOOK_REFUSAL_CODES, WEBHOOK_REFUSALS, WebhookRefusal } from './errors';
export type { WebhookRefusalCode } from './errors';
