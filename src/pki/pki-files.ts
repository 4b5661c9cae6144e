import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createTestPki, DEFAULT_PKI_HOSTNAMES, type TestPki, type TestPkiOptions } from './create-test-pki';

/** File names of a PKI written to a directory. The CA's private key is never written: nothing signs after start. */
export const PKI_FILES = {
  ca: 'ca.pem',
  serverCert: 'server.pem',
  serverKey: 'server-key.pem',
  clientCert: 'client.pem',
  clientKey: 'client-key.pem',
} as const;

export interface LoadOrCreatePkiOptions extends TestPkiOptions {
  /** Files whose certificates expire within this many days are replaced. @default 7 */
  readonly renewWithinDays?: number;
}

export interface LoadedPki {
  readonly pki: TestPki;
  /** `reused`: the files were valid; `created`: there were none; `renewed`: they were expiring, broken or mismatched. */
  readonly outcome: 'reused' | 'created' | 'renewed';
  /** Why the outcome, in words for the start-up log. */
  readonly reason: string;
}

export const DEFAULT_RENEW_WITHIN_DAYS = 7;
const DAY_MS = 86_400_000;

/** Writes the PKI's PEM files to `dir` (created if missing); keys are readable by the owner only. */
export async function writePki(dir: string, pki: TestPki): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files: readonly [string, string, number][] = [
    [PKI_FILES.ca, pki.ca, 0o644],
    [PKI_FILES.serverCert, pki.server.cert, 0o644],
    [PKI_FILES.serverKey, pki.server.key, 0o600],
    [PKI_FILES.clientCert, pki.client.cert, 0o644],
    [PKI_FILES.clientKey, pki.client.key, 0o600],
  ];
  // Write beside, then rename: a reader never sees half a key.
  for (const [name, content, mode] of files) {
    const target = join(dir, name);
    await writeFile(`${target}.tmp`, content, { mode });
    await rename(`${target}.tmp`, target);
  }
}

/**
 * Reuses the PKI in `dir` while every certificate in it is valid for more than `renewWithinDays`, chains to the CA,
 * matches its key and covers the hostnames asked for; otherwise makes a new one and writes it there.
 */
export async function loadOrCreatePki(dir: string, options: LoadOrCreatePkiOptions = {}): Promise<LoadedPki> {
  const existing = await readPki(dir);
  if (existing === null) {
    const pki = await createTestPki(options);
    await writePki(dir, pki);
    return { pki, outcome: 'created', reason: `no PKI in ${dir}: made a new one` };
  }
  const problem = findProblem(existing, options);
  if (problem === null) {
    const reason = `the PKI in ${dir} is valid until ${earliest(existing).toISOString()}`;
    return { pki: existing, outcome: 'reused', reason };
  }
  const pki = await createTestPki(options);
  await writePki(dir, pki);
  return { pki, outcome: 'renewed', reason: `${problem}: made a new one` };
}

async function readPki(dir: string): Promise<TestPki | null> {
  const read = async (name: string): Promise<string | null> => {
    try {
      return await readFile(join(dir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  };
  const [ca, serverCert, serverKey, clientCert, clientKey] = await Promise.all([
    read(PKI_FILES.ca),
    read(PKI_FILES.serverCert),
    read(PKI_FILES.serverKey),
    read(PKI_FILES.clientCert),
    read(PKI_FILES.clientKey),
  ]);
  if (ca === null || serverCert === null || serverKey === null || clientCert === null || clientKey === null) return null;
  const notAfter = (pem: string): Date => {
    try {
      return new Date(new X509Certificate(pem).validTo);
    } catch {
      return new Date(0);
    }
  };
  return {
    ca,
    server: { cert: serverCert, key: serverKey },
    client: { cert: clientCert, key: clientKey },
    notAfter: { ca: notAfter(ca), server: notAfter(serverCert), client: notAfter(clientCert) },
  };
}

function findProblem(pki: TestPki, options: LoadOrCreatePkiOptions, now = new Date()): string | null {
  const renewWithinDays = options.renewWithinDays ?? DEFAULT_RENEW_WITHIN_DAYS;
  let ca: X509Certificate;
  try {
    ca = new X509Certificate(pki.ca);
  } catch {
    return 'the CA certificate cannot be read';
  }
  const leaves = [
    ['server', pki.server],
    ['client', pki.client],
  ] as const;
  for (const [role, pair] of leaves) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pair.cert);
      if (!cert.checkPrivateKey(createPrivateKey(pair.key))) return `the ${role} key does not match its certificate`;
    } catch {
      return `the ${role} certificate or key cannot be read`;
    }
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return `the ${role} certificate was not issued by the CA`;
  }
  const server = new X509Certificate(pki.server.cert);
  for (const host of options.hostnames ?? DEFAULT_PKI_HOSTNAMES) {
    const covered = isIP(host) ? server.checkIP(host) : server.checkHost(host);
    if (covered === undefined) return `the server certificate does not cover ${host}`;
  }
  const expiry = earliest(pki);
  const daysLeft = (expiry.getTime() - now.getTime()) / DAY_MS;
  if (daysLeft <= renewWithinDays) {
    return `a certificate expires ${expiry.toISOString()}, within the ${renewWithinDays}-day renewal window`;
  }
  return null;
}

function earliest(pki: TestPki): Date {
  const times = [pki.notAfter.ca, pki.notAfter.server, pki.notAfter.client].map((date) => date.getTime());
  return new Date(Math.min(...times));
}
