import { daysLeftOf, type CredentialView } from '../autopilot';
import type { DoctorCheck } from '../systems/kit/doctor';

/** Internal to src/doctor: a check per credential or certificate of a system whose end is known (the autopilot's). */

/** A week or less left: ready, but look at it (the demo's test PKI renews itself within 7 days of expiry). */
const WARN_WITHIN_DAYS = 7;

export function credentialChecks(views: readonly CredentialView[], system: string): DoctorCheck[] {
  return views
    .filter((view) => view.system === system)
    .map((view): DoctorCheck => {
      const when = view.expiresAt.toISOString();
      const days = daysLeftOf(view);
      const name = `${view.credential} expiry`;
      const source = view.source === 'certificate' ? 'the certificate' : 'the integration map';
      if (view.secondsLeft <= 0) return { name, status: 'fail', detail: `expired at ${when} (${source})`, action: `renew the ${view.credential} now` };
      const detail = `expires at ${when}: ${days} day${days === 1 ? '' : 's'} left (${source})`;
      return days < WARN_WITHIN_DAYS ? { name, status: 'warn', detail, action: `renew the ${view.credential} before it expires` } : { name, status: 'ok', detail };
    });
}
