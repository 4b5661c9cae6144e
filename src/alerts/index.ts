import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { redactText } from '../audit/redact';
import { AlertEntity, type AlertKind, type Database } from '../db';
import { describeMaintenance, type MaintenanceAlert } from './maintenance';

export type { AlertKind } from '../db';
export type { ContractDriftAlert, CredentialExpiryAlert, MaintenanceAlert, RateLimitAlert } from './maintenance';
export { subjectOf } from './maintenance';

/** What a worker tells ops about a job: it keeps failing, or it was dead-lettered. */
export interface JobAlert {
  readonly kind: 'job-failing' | 'job-dead';
  readonly jobId: string;
  readonly system: string;
  readonly operation: string;
  /** Attempts made so far. */
  readonly attempts: number;
  /** Why the last attempt failed (redacted before it goes anywhere). */
  readonly lastError: string;
}

/**
 * What the write path tells ops about a mutation whose process died before its receipt: it was finished afterwards,
 * as a retry of it would have been (its receipt says how), or it could not be yet (the next sweep tries again).
 */
export interface WriteAlert {
  readonly kind: 'write-interrupted';
  readonly operation: string;
  readonly idempotencyKey: string;
  /** Who sent it (the token's subject). */
  readonly actor: string;
  /** When its first process claimed it. */
  readonly claimedAt: Date;
  readonly outcome: { readonly receipt: { readonly status: string; readonly auditId: string; readonly owner: string } } | { readonly error: string };
}

/**
 * A signed webhook event that cannot be applied (its ids are unusable): acknowledged to the system so that it stops
 * retrying, kept in the inbound integration log, and told to ops once.
 */
export interface WebhookAlert {
  readonly kind: 'webhook-unusable';
  readonly system: string;
  /** The event's id at the system. */
  readonly eventId: string;
  readonly eventType: string;
  readonly reason: string;
}

/** An alert as stored, listed and POSTed to the webhook. */
export interface Alert {
  readonly id: string;
  readonly kind: AlertKind;
  readonly system: string;
  /** What it is about: for job alerts, the outbox job's id. */
  readonly subject: string;
  readonly message: string;
  readonly createdAt: Date;
  readonly acknowledgedAt: Date | null;
}

export interface AlertFilter {
  readonly kind?: AlertKind;
  readonly subject?: string;
  /** Only alerts nobody has acknowledged yet. @default false */
  readonly unacknowledged?: boolean;
  /** Newest first, at most this many. @default 100 */
  readonly limit?: number;
}

export interface AlertsOptions {
  /** Where each alert is POSTed as JSON (PLUGBOARD_ALERT_WEBHOOK_URL); unset: the log and the table only. */
  readonly webhookUrl?: string;
  /** Where the structured alert lines go. @default a pino logger on stdout */
  readonly logger?: Logger;
  /** How long the webhook may take before its POST is given up (and logged). @default 5000 */
  readonly webhookTimeoutMs?: number;
  readonly now?: () => Date;
}

export interface Alerts {
  /** Logs the alert, stores it in `alerts` and POSTs it to the webhook. Never throws for the webhook's sake. */
  raise(alert: AnyAlert): Promise<Alert>;
  list(filter?: AlertFilter): Promise<Alert[]>;
  /** Marks an alert seen; false when there is no such alert or it was already acknowledged. */
  acknowledge(id: string): Promise<boolean>;
}

/** Every alert there is. */
export type AnyAlert = JobAlert | WriteAlert | WebhookAlert | MaintenanceAlert;

const MESSAGES: Readonly<Record<JobAlert['kind'], string>> = {
  'job-failing': 'keeps failing',
  'job-dead': 'was dead-lettered',
};

/** Ops alerts: always a structured log line and an `alerts` row the dashboard shows, plus a webhook when configured. */
export function createAlerts(db: Database, options: AlertsOptions = {}): Alerts {
  const logger = options.logger ?? pino({ name: 'plugboard-alerts' });
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.webhookTimeoutMs ?? 5_000;

  const post = async (body: Record<string, unknown>): Promise<void> => {
    if (!options.webhookUrl) return;
    try {
      const response = await fetch(options.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) logger.warn({ alertId: body['id'], status: response.status }, 'alert webhook refused the alert');
    } catch (error) {
      logger.warn({ alertId: body['id'], reason: redactText(error instanceof Error ? error.message : String(error)) }, 'alert webhook did not answer');
    }
  };

  return {
    async raise(alert) {
      const { row, fields } = describe(alert, now());
      logger[alert.kind === 'job-failing' || alert.kind === 'contract-drift' || alert.kind === 'rate-limit-lowered' ? 'warn' : 'error'](fields, row.message);
      await db.orm.em.fork().insert(AlertEntity, { ...row });
      await post({ ...fields, id: row.id, kind: row.kind, subject: row.subject, message: row.message, createdAt: row.createdAt.toISOString() });
      return row;
    },
    async list(filter = {}) {
      const rows = await db.orm.em.fork().find(
        AlertEntity,
        {
          ...(filter.kind ? { kind: filter.kind } : {}),
          ...(filter.subject ? { subject: filter.subject } : {}),
          ...(filter.unacknowledged ? { acknowledgedAt: null } : {}),
        },
        { orderBy: { createdAt: 'desc', id: 'asc' }, limit: filter.limit ?? 100 },
      );
      return rows.map(toAlert);
    },
    async acknowledge(id) {
      return (await db.orm.em.fork().nativeUpdate(AlertEntity, { id, acknowledgedAt: null }, { acknowledgedAt: now() })) > 0;
    },
  };
}

type Described = { readonly row: Alert; readonly fields: Record<string, unknown> };

function describe(alert: AnyAlert, at: Date): Described {
  switch (alert.kind) {
    case 'contract-drift':
    case 'credential-expiry':
    case 'rate-limit-lowered':
      return describeMaintenance(alert, at);
    case 'write-interrupted':
      return describeWrite(alert, at);
    case 'webhook-unusable':
      return describeWebhook(alert, at);
    case 'job-failing':
    case 'job-dead':
      return describeJob(alert, at);
  }
}

function describeWebhook(alert: WebhookAlert, at: Date): Described {
  const reason = redactText(alert.reason);
  const row: Alert = {
    id: randomUUID(),
    kind: alert.kind,
    system: alert.system,
    subject: alert.eventId.slice(0, 200),
    message: `${alert.system} webhook ${alert.eventType} (event ${alert.eventId}) was signed but cannot be applied: ${reason}`,
    createdAt: at,
    acknowledgedAt: null,
  };
  return { row, fields: { alert: alert.kind, alertId: row.id, system: alert.system, eventId: alert.eventId, eventType: alert.eventType, reason } };
}

function describeJob(alert: JobAlert, at: Date): Described {
  const lastError = redactText(alert.lastError);
  const row: Alert = {
    id: randomUUID(),
    kind: alert.kind,
    system: alert.system,
    subject: alert.jobId,
    message: `${alert.system} ${alert.operation}: job ${alert.jobId} ${MESSAGES[alert.kind]} after ${alert.attempts} attempt${alert.attempts === 1 ? '' : 's'}: ${lastError}`,
    createdAt: at,
    acknowledgedAt: null,
  };
  const fields = { alert: alert.kind, alertId: row.id, jobId: alert.jobId, system: alert.system, operation: alert.operation, attempts: alert.attempts, lastError };
  return { row, fields };
}

function describeWrite(alert: WriteAlert, at: Date): Described {
  const { operation, idempotencyKey, outcome } = alert;
  const since = alert.claimedAt.toISOString();
  const stopped = `${operation} (idempotency key ${idempotencyKey}, from ${alert.actor}): the process applying it since ${since} stopped before its receipt`;
  const finished = 'receipt' in outcome;
  const lastError = finished ? null : redactText(outcome.error);
  const row: Alert = {
    id: randomUUID(),
    kind: alert.kind,
    // Unfinished, it is our own database's: the write path's state lives there, and the dashboard's store tile shows it.
    system: finished ? outcome.receipt.owner : 'store',
    subject: finished ? outcome.receipt.auditId : `${operation}:${idempotencyKey}`.slice(0, 200),
    message: finished
      ? `${stopped}; it was finished afterwards as a retry would have been: ${outcome.receipt.status}, audit ${outcome.receipt.auditId}`
      : `${stopped}; finishing it failed, and is tried again: ${lastError}`,
    createdAt: at,
    acknowledgedAt: null,
  };
  const fields = {
    alert: alert.kind,
    alertId: row.id,
    operation,
    idempotencyKey,
    actor: alert.actor,
    claimedAt: since,
    ...(finished ? { status: outcome.receipt.status, auditId: outcome.receipt.auditId } : { lastError }),
  };
  return { row, fields };
}

function toAlert(row: AlertEntity): Alert {
  return {
    id: row.id,
    kind: row.kind,
    system: row.system,
    subject: row.subject,
    message: row.message,
    createdAt: row.createdAt,
    acknowledgedAt: row.acknowledgedAt,
  };
}
