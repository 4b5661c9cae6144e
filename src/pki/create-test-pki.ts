// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { isIP } from 'node:net';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** A certificate and its private key, PEM-encoded. */
export interface CertificateAndKey {
  readonly cert: string;
  readonly key: string;
}

/**
 * The test PKI of the example estate: one CA, the certificate courier A's sandbox serves, and the client certificate
 * Plugboard presents to it (mutual TLS). Made at start, never committed.
 */
export interface TestPki {
  /** The CA certificate both sides trust, PEM. */
  readonly ca: string;
  /** Courier A's server certificate (SAN: the hostnames asked for) and key. */
  readonly server: CertificateAndKey;
  /** Plugboard's client certificate (CN "plugboard") and key. */
  readonly client: CertificateAndKey;
  /** When each certificate stops being valid. */
  readonly notAfter: { readonly ca: Date; readonly server: Date; readonly client: Date };
}

export interface TestPkiOptions {
  /** How long every certificate is valid, in days (fractions allowed). @default 30 */
  readonly validityDays?: number;
  /**
   * Names the server certificate covers; IP literals become IP SANs, the rest DNS SANs.
   * @default ['localhost', '127.0.0.1']
   */
  readonly hostnames?: readonly string[];
  /** The moment the certificates start being valid. @default now */
  readonly now?: Date;
}

export const DEFAULT_PKI_VALIDITY_DAYS = 30;
export const DEFAULT_PKI_HOSTNAMES: readonly string[] = ['localhost', '127.0.0.1'];
/** The common name of the client certificate Plugboard presents. */
export const CLIENT_COMMON_NAME = 'plugboard';

const DAY_MS = 86_400_000;
// The library types its provider as the DOM's Crypto; Node's webcrypto is that same API.
type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
const crypto = webcrypto;
const x509Crypto = webcrypto as unknown as X509Crypto;
const KEY_ALGORITHM: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/** Makes a fresh CA, server certificate and client certificate (ECDSA P-256), all valid from `now`. */
export async function createTestPki(options: TestPkiOptions = {}): Promise<TestPki> {
  const validityDays = options.validityDays ?? DEFAULT_PKI_VALIDITY_DAYS;
  if (!(validityDays > 0)) throw new RangeError(`createTestPki: validityDays must be above 0, got ${validityDays}`);
  const hostnames = options.hostnames ?? DEFAULT_PKI_HOSTNAMES;
  if (hostnames.length === 0) throw new RangeError('createTestPki: the server certificate needs at least one hostname');
  // Back-date a minute so that a peer whose clock is slightly behind does not see a not-yet-valid certificate.
  // Certificates hold whole seconds: round here so that the dates we answer are the ones written.
  const start = Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000;
  const notBefore = new Date(start - 60_000);
  const notAfter = new Date(Math.floor((start + validityDays * DAY_MS) / 1000) * 1000);

  const caKeys = await generateKeys();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name: 'CN=Plugboard Test CA, O=Plugboard',
      notBefore,
      notAfter,
      keys: caKeys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, x509Crypto),
      ],
    },
    x509Crypto,
  );

  const issue = async (subject: string, usage: x509.ExtendedKeyUsage, names: x509.JsonGeneralNames | null) => {
    const keys = await generateKeys();
    const cert = await x509.X509CertificateGenerator.create(
      {
        serialNumber: serial(),
        subject,
        issuer: caCert.subject,
        notBefore,
        notAfter,
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: SIGNING_ALGORITHM,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
          new x509.ExtendedKeyUsageExtension([usage], false),
          await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, x509Crypto),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, x509Crypto),
          ...(names ? [new x509.SubjectAlternativeNameExtension(names, false)] : []),
        ],
      },
      x509Crypto,
    );
    return { cert: cert.toString('pem'), key: await exportPrivateKey(keys.privateKey), notAfter: cert.notAfter };
  };

  const sans: x509.JsonGeneralNames = hostnames.map((name) => ({ type: isIP(name) ? 'ip' : 'dns', value: name }));
  const server = await issue(`CN=${hostnames[0]}, O=Plugboard sandbox`, x509.ExtendedKeyUsage.serverAuth, sans);
  const client = await issue(`CN=${CLIENT_COMMON_NAME}, O=Plugboard`, x509.ExtendedKeyUsage.clientAuth, null);
  return {
    ca: caCert.toString('pem'),
    server: { cert: server.cert, key: server.key },
    client: { cert: client.cert, key: client.key },
    notAfter: { ca: caCert.notAfter, server: server.notAfter, client: client.notAfter },
  };
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function exportPrivateKey(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A positive 16-byte serial (the top bit cleared, so the DER integer is not read as negative). */
function serial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}
