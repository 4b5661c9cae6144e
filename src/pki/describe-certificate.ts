import { X509Certificate } from 'node:crypto';

/** What an operator needs to know about a certificate to act before it expires. */
export interface CertificateSummary {
  /** The subject, one attribute per line as Node prints it, e.g. "CN=plugboard\nO=Plugboard". */
  readonly subject: string;
  readonly notAfter: Date;
  /** Whole days until `notAfter` (negative once expired). */
  readonly daysLeft: number;
}

const DAY_MS = 86_400_000;

/** Reads a PEM certificate's subject and expiry; throws a readable error when the PEM is not a certificate. */
export function describeCertificate(pem: string | Buffer, now: Date = new Date()): CertificateSummary {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (error) {
    throw new Error(`not a PEM certificate: ${(error as Error).message}`, { cause: error });
  }
  const notAfter = new Date(certificate.validTo);
  return {
    subject: certificate.subject,
    notAfter,
    daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS),
  };
}
