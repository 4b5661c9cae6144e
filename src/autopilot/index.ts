/**
 * The maintenance autopilot (docs/autopilot.md): contract drift from live traffic, credential and certificate expiry,
 * and rate limits that follow what vendors announce. Composed once per process by src/runtime/compose-systems.ts.
 */
export { createAutopilot, type Autopilot, type AutopilotOptions } from './create-autopilot';
export type { AnswerCheck, DescribedDifference } from './contract-drift';
export { daysLeftOf, EXPIRY_ALERT_DAYS, type CredentialView, type ExpiringCredential } from './credential-expiry';
export type { RateLimitView } from './vendor-rate-limits';
