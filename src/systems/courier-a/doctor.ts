import { describeCertificate } from '../../pki';
import type { CourierAAdapterOptions } from './adapter';
import { shipmentsPath, SHIPMENT_MEDIA_TYPE } from './canada-post/documents';
import { isTlsFailure, reachableCheck, sampleReads, whyNoAnswer, type DoctorCheck, type SystemDoctor } from '../kit/doctor';

/** Fewer days left than this on the CA we trust is a warning. */
const RENEW_WITHIN_DAYS = 14;

/**
 * Courier A's readiness (Canada Post): the CA we trust for its server certificate when one is configured (its days
 * to expiry: expired fails, within 14 days warns), the API key (HTTP Basic) and the customer number, by a Get
 * Shipments for a request id no booking uses (it reads nothing and changes nothing), repeated for the latency, and
 * the contract account's one-time setup (contract id, service code, sender).
 */
export const courierADoctor: SystemDoctor<CourierAAdapterOptions> = {
  async probe(context) {
    const { connection } = context;
    const checks: DoctorCheck[] = [];
    if (connection.tls?.ca) {
      try {
        const certificate = describeCertificate(connection.tls.ca, context.now());
        const until = certificate.notAfter.toISOString().slice(0, 10);
        const what = `the CA we trust for courier A's server (${certificate.subject.replace(/\n/g, ', ')})`;
        checks.push(
          certificate.daysLeft < 0 ?
            { name: 'certificate', status: 'fail', detail: `${what} expired on ${until}`, action: 'set COURIER_A_CA_FILE to the current CA of the server, or unset it to trust the system\'s CAs' }
          : certificate.daysLeft < RENEW_WITHIN_DAYS ?
            { name: 'certificate', status: 'warn', detail: `${what} expires in ${certificate.daysLeft} days (${until})`, action: 'get its renewal and set COURIER_A_CA_FILE to it' }
          : { name: 'certificate', status: 'ok', detail: `${what} expires in ${certificate.daysLeft} days (${until})` },
        );
      } catch (error) {
        checks.push({ name: 'certificate', status: 'fail', detail: `COURIER_A_CA_FILE cannot be read as a certificate: ${(error as Error).message}`, action: 'set COURIER_A_CA_FILE to a PEM certificate, or unset it' });
      }
    }
    const account = connection.account;
    const authorization = `Basic ${Buffer.from(`${connection.username}:${connection.password}`).toString('base64')}`;
    try {
      const { last, latenciesMs } = await sampleReads(context, 'shipments.byRequestId', {
        path: `${shipmentsPath(account)}?requestId=plugboard-doctor-probe&provideShipmentInfo=true`,
        headers: { authorization, accept: SHIPMENT_MEDIA_TYPE, 'accept-language': 'en-CA' },
      });
      checks.push(reachableCheck(last, 'Canada Post'));
      checks.push(
        last.status === 401 ? { name: 'authenticated', status: 'fail', detail: 'the API key was refused (401)', action: 'set COURIER_A_USERNAME and COURIER_A_PASSWORD to the API key pair of the customer\'s Canada Post account (development or production key for COURIER_A_URL)' }
        : last.status === 403 ? { name: 'authenticated', status: 'fail', detail: `the API key may not ship for customer ${account.customerNumber} (403)`, action: 'set COURIER_A_CUSTOMER_NUMBER (and COURIER_A_MOBO) to the account the key belongs to' }
        : last.status >= 400 && last.status < 500 ? { name: 'authenticated', status: 'fail', detail: `Canada Post refused the read (${last.status}): ${last.text.slice(0, 200)}`, action: 'check COURIER_A_URL and the customer number' }
        : { name: 'authenticated', status: 'ok', detail: `the API key was accepted for customer ${account.customerNumber}` },
      );
      const missing = [
        account.contractId ? '' : 'COURIER_A_CONTRACT_ID',
        account.serviceCode ? '' : 'COURIER_A_SERVICE_CODE',
        account.sender?.company && account.sender.phone ? '' : 'COURIER_A_SENDER',
      ].filter(Boolean);
      checks.push(
        missing.length > 0 ?
          { name: 'contract account', status: 'fail', detail: `missing ${missing.join(', ')}`, action: `set ${missing.join(', ')} (the contract's one-time setup)` }
        : { name: 'contract account', status: 'ok', detail: `contract ${account.contractId}, service ${account.serviceCode}, mailed from ${account.sender.address.city} ${account.sender.address.countryCode}` },
      );
      return { checks, latenciesMs, apiVersion: 'Contract Shipping REST v8 (shipment-v8)' };
    } catch (error) {
      // No server at all is the runner's "not reachable"; a refused handshake is ours to explain.
      if (!isTlsFailure(error)) throw error;
      checks.push({
        name: 'reachable',
        status: 'fail',
        detail: `the TLS handshake with ${connection.baseUrl} failed: ${whyNoAnswer(error).text}`,
        action: 'check COURIER_A_URL, and that COURIER_A_CA_FILE (when set) is the CA of its server',
      });
      return { checks };
    }
  },
};
