import { randomUUID } from 'node:crypto';
import { redactText } from '../audit/redact';
import type { Alert } from './index';

/**
 * Internal to src/alerts: the maintenance autopilot's alerts (docs/autopilot.md). Each is raised once per subject by
 * the autopilot, which says what it is about in `subject`.
 */

/** A system's answers changed shape: one alert per new contract_drift row. */
export interface ContractDriftAlert {
  readonly kind: 'contract-drift';
  readonly system: string;
  readonly operation: string;
  readonly field: string;
  readonly change: string;
  /** `description` (the vendor's published one) or `last-seen` (the shape its answers had so far). */
  readonly source: string;
}

/** A credential or certificate expires within a threshold (30, 7, 1 days), or has expired. */
export interface CredentialExpiryAlert {
  readonly kind: 'credential-expiry';
  readonly system: string;
  /** Which credential: `client certificate`, `CA certificate`, or the integration map's name of it. */
  readonly credential: string;
  readonly expiresAt: Date;
  /** The threshold crossed, in days (0: expired). */
  readonly withinDays: number;
}

/** The vendor announces a lower rate limit than the integration map declares. */
export interface RateLimitAlert {
  readonly kind: 'rate-limit-lowered';
  readonly system: string;
  readonly declared: { readonly requests: number; readonly perSeconds: number };
  readonly announced: { readonly requests: number; readonly perSeconds: number };
}

export type MaintenanceAlert = ContractDriftAlert | CredentialExpiryAlert | RateLimitAlert;

/** What the alert is about, unique per occurrence the autopilot raises once. */
export function subjectOf(alert: MaintenanceAlert): string {
  switch (alert.kind) {
    case 'contract-drift':
      return `${alert.operation} ${alert.field}: ${alert.change}`.slice(0, 200);
    case 'credential-expiry':
      return `${alert.credential} ${alert.expiresAt.toISOString()} within ${alert.withinDays} d`.slice(0, 200);
    case 'rate-limit-lowered':
      return `${alert.announced.requests}/${alert.announced.perSeconds}s`;
  }
}

const perText = (limit: RateLimitAlert['declared']): string => `${limit.requests} calls per ${limit.perSeconds} s`;

export function describeMaintenance(alert: MaintenanceAlert, at: Date): { row: Alert; fields: Record<string, unknown> } {
  const message = messageOf(alert, at);
  const row: Alert = { id: randomUUID(), kind: alert.kind, system: alert.system, subject: subjectOf(alert), message, createdAt: at, acknowledgedAt: null };
  const details =
    alert.kind === 'contract-drift' ? { operation: alert.operation, field: alert.field, change: redactText(alert.change), source: alert.source }
    : alert.kind === 'credential-expiry' ? { credential: alert.credential, expiresAt: alert.expiresAt.toISOString(), withinDays: alert.withinDays }
    : { declared: alert.declared, announced: alert.announced };
  return { row, fields: { alert: alert.kind, alertId: row.id, system: alert.system, ...details } };
}

function messageOf(alert: MaintenanceAlert, at: Date): string {
  switch (alert.kind) {
    case 'contract-drift': {
      const against = alert.source === 'description' ? "the vendor's published description" : 'the shape its answers had so far';
      return `${alert.system} ${alert.operation}: the answer's field ${alert.field} ${redactText(alert.change)} (against ${against}); the page keeps serving what it can`;
    }
    case 'credential-expiry': {
      const when = alert.expiresAt.toISOString();
      return alert.expiresAt.getTime() <= at.getTime()
        ? `${alert.system}: the ${alert.credential} expired at ${when}: renew it now`
        : `${alert.system}: the ${alert.credential} expires at ${when}, within ${alert.withinDays} day${alert.withinDays === 1 ? '' : 's'}: renew it`;
    }
    case 'rate-limit-lowered':
      return `${alert.system}: the vendor announces ${perText(alert.announced)}, below the ${perText(alert.declared)} the integration map declares; calls now keep to the vendor's figure (update rateLimit in the map, or renegotiate)`;
  }
}
