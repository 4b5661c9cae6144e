import { X509Certificate } from 'node:crypto';
import { subjectOf, type Alerts } from '../alerts';

/** A credential or certificate that stops working at a known moment. */
export interface ExpiringCredential {
  readonly system: string;
  /** `client certificate`, `CA certificate`, or the integration map's name of the credential (`apiKey`, `refreshToken`). */
  readonly credential: string;
  readonly expiresAt: Date;
  /** When it started being valid, where known (a certificate's notBefore). */
  readonly issuedAt?: Date;
  /** Where the date comes from: the certificate itself, or the integration map's rotation date. */
  readonly source: 'certificate' | 'integration map';
}

/** A credential as a tile, the doctor and the metric show it. */
export interface CredentialView extends ExpiringCredential {
  /** Seconds until it expires (negative once it has). */
  readonly secondsLeft: number;
}

/** Days before expiry at which ops are alerted, each once. */
export const EXPIRY_ALERT_DAYS: readonly number[] = [30, 7, 1];
/**
 * Notices this close are always given. A longer one is skipped for a credential that never had that long (issued for
 * 30 days, like the demo's test PKI): it would be news at its birth, every time, and say nothing.
 */
const ALWAYS_NOTIFIED_WITHIN_DAYS = 7;

const DAY_MS = 86_400_000;

/** TLS material of a connection (courier A's mutual TLS): its client certificate and the CA it trusts. */
interface TlsMaterial {
  readonly cert?: string | Buffer;
  readonly ca?: string | Buffer;
}

/** The certificates of one connection, with their expiry; a PEM that is not a certificate is left out (the start refuses it). */
export function certificatesOf(system: string, connection: { readonly tls?: TlsMaterial } | undefined): ExpiringCredential[] {
  const found: ExpiringCredential[] = [];
  const add = (credential: string, pem: string | Buffer | undefined) => {
    if (!pem || pem.length === 0) return;
    try {
      const certificate = new X509Certificate(pem);
      found.push({ system, credential, expiresAt: new Date(certificate.validTo), issuedAt: new Date(certificate.validFrom), source: 'certificate' });
    } catch {
      // Not a certificate: the adapter's TLS handshake says so, loudly, at the first call.
    }
  };
  add('client certificate', connection?.tls?.cert);
  add('CA certificate', connection?.tls?.ca);
  return found;
}

/** The integration map's rotation dates of one system. A date alone is the start of that day, UTC. */
export function rotationsOf(system: string, rotation: ReadonlyArray<{ readonly credential: string; readonly rotateBy: string }> | undefined): ExpiringCredential[] {
  return (rotation ?? []).map(({ credential, rotateBy }) => ({
    system,
    credential,
    expiresAt: new Date(/^\d{4}-\d{2}-\d{2}$/.test(rotateBy) ? `${rotateBy}T00:00:00Z` : rotateBy),
    source: 'integration map',
  }));
}

export interface CredentialExpiryOptions {
  readonly credentials: readonly ExpiringCredential[];
  readonly alerts: Pick<Alerts, 'raise' | 'list'>;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface CredentialExpiry {
  /** Every credential with the seconds it has left, soonest first. */
  views(): CredentialView[];
  /** Raises the alerts now due: for each credential, the tightest threshold crossed, once (across restarts too). */
  check(): Promise<void>;
}

/**
 * Credential and certificate expiry: seconds left for each (the metric, the tiles, the doctor), and alerts at 30, 7 and
 * 1 days. A credential first seen already past several thresholds is alerted at the tightest only: one alert that says
 * how close it is, not three.
 */
export function createCredentialExpiry(options: CredentialExpiryOptions): CredentialExpiry {
  const now = options.now ?? Date.now;
  const views = (): CredentialView[] =>
    options.credentials
      .map((credential) => ({ ...credential, secondsLeft: Math.floor((credential.expiresAt.getTime() - now()) / 1_000) }))
      .sort((a, b) => a.secondsLeft - b.secondsLeft);

  const check = async (): Promise<void> => {
    for (const view of views()) {
      const daysLeft = view.secondsLeft / 86_400;
      const lifetimeDays = view.issuedAt ? (view.expiresAt.getTime() - view.issuedAt.getTime()) / DAY_MS : Number.POSITIVE_INFINITY;
      const crossed = EXPIRY_ALERT_DAYS.filter((days) => daysLeft <= days && (days <= ALWAYS_NOTIFIED_WITHIN_DAYS || lifetimeDays > days + 1));
      const tightest = Math.min(...crossed);
      if (!Number.isFinite(tightest)) continue;
      const alertAt = (withinDays: number) =>
        ({ kind: 'credential-expiry', system: view.system, credential: view.credential, expiresAt: view.expiresAt, withinDays }) as const;
      const raised = await options.alerts.list({ kind: 'credential-expiry', limit: 500 });
      // This threshold's alert, or a tighter one's, was raised already (by this process or another, before a restart).
      const subjects = new Set(raised.filter((alert) => alert.system === view.system).map((alert) => alert.subject));
      if (EXPIRY_ALERT_DAYS.some((days) => days <= tightest && subjects.has(subjectOf(alertAt(days))))) continue;
      await options.alerts.raise(alertAt(tightest));
    }
  };
  return { views, check };
}

/** Whole days left, as people read them (a credential expiring in 4.5 days has 4 left). */
export function daysLeftOf(view: CredentialView): number {
  return Math.floor((view.secondsLeft * 1_000) / DAY_MS);
}
