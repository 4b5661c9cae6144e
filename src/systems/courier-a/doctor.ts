import { describeCertificate } from '../../pki';
import type { CourierAAdapterOptions } from './adapter';
import { isTlsFailure, sampleReads, whyNoAnswer, type DoctorCheck, type SystemDoctor } from '../kit/doctor';

/** Fewer days left than this on our client certificate is a warning: renewing takes the courier's turnaround. */
const RENEW_WITHIN_DAYS = 14;

/**
 * Courier A's readiness (XML over mutual TLS): our client certificate (its subject and days to expiry: an expired
 * one fails, one expiring within 14 days warns), and a request over the mutual-TLS connection (a refused handshake
 * means the courier does not accept our certificate, or we do not trust its CA), repeated for the latency.
 */
export const courierADoctor: SystemDoctor<CourierAAdapterOptions> = {
  async probe(context) {
    const checks: DoctorCheck[] = [];
    try {
      const certificate = describeCertificate(context.connection.tls.cert, context.now());
      const until = certificate.notAfter.toISOString().slice(0, 10);
      checks.push(
        certificate.daysLeft < 0 ?
          { name: 'certificate', status: 'fail', detail: `our client certificate (${certificate.subject.replace(/\n/g, ', ')}) expired on ${until}`, action: 'ask courier A for a new client certificate and set COURIER_A_CERT_FILE and COURIER_A_KEY_FILE to it' }
        : certificate.daysLeft < RENEW_WITHIN_DAYS ?
          { name: 'certificate', status: 'warn', detail: `our client certificate expires in ${certificate.daysLeft} days (${until})`, action: 'ask courier A for its renewal now, and set COURIER_A_CERT_FILE and COURIER_A_KEY_FILE to it when it comes' }
        : { name: 'certificate', status: 'ok', detail: `our client certificate expires in ${certificate.daysLeft} days (${until})` },
      );
    } catch (error) {
      checks.push({ name: 'certificate', status: 'fail', detail: `our client certificate cannot be read: ${(error as Error).message}`, action: 'set COURIER_A_CERT_FILE to the PEM file of the certificate courier A issued' });
    }
    try {
      const { last, latenciesMs } = await sampleReads(context, 'handshake', { path: '/api/v2/track', headers: { accept: 'application/xml' } });
      checks.push(
        last.status >= 500 ?
          { name: 'reachable', status: 'fail', detail: `courier A answered ${last.status}`, action: 'the system is failing: ask courier A, and probe again' }
        : { name: 'reachable', status: 'ok', detail: `courier A accepted our certificate and answered (${last.status})` },
        { name: 'authenticated', status: 'ok', detail: 'mutual TLS handshake completed' },
      );
      return { checks, latenciesMs, apiVersion: 'XML API v2' };
    } catch (error) {
      // No server at all is the runner's "not reachable"; a refused handshake is ours to explain.
      if (!isTlsFailure(error)) throw error;
      checks.push({
        name: 'authenticated',
        status: 'fail',
        detail: `the mutual-TLS handshake with ${context.connection.baseUrl} failed: ${whyNoAnswer(error).text}`,
        action: 'check COURIER_A_URL, that COURIER_A_CERT_FILE and COURIER_A_KEY_FILE are the pair courier A registered, and that COURIER_A_CA_FILE is the CA of its server',
      });
      return { checks };
    }
  },
};
