import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestPki, describeCertificate, loadOrCreatePki, PKI_FILES, writePki } from '.';

describe('test PKI', () => {
  const dirs: string[] = [];
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'plugboard-pki-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('makes a CA, a server certificate for localhost and 127.0.0.1 and a client certificate for plugboard', async () => {
    const pki = await createTestPki();
    const ca = new X509Certificate(pki.ca);
    const server = new X509Certificate(pki.server.cert);
    const clientCert = new X509Certificate(pki.client.cert);

    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey) && clientCert.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(clientCert.subject).toContain('CN=plugboard');
    expect(describeCertificate(pki.client.cert)).toMatchObject({ subject: expect.stringContaining('CN=plugboard') });
    expect(describeCertificate(pki.client.cert).daysLeft).toBeGreaterThanOrEqual(29);
    expect(describeCertificate(pki.client.cert).daysLeft).toBeLessThanOrEqual(30);
    expect(pki.notAfter.server.getTime()).toBe(new Date(server.validTo).getTime());
  });

  it('counts the days left of a certificate about to expire, and below zero once it has', async () => {
    const pki = await createTestPki({ validityDays: 2 });
    expect(describeCertificate(pki.server.cert).daysLeft).toBeLessThanOrEqual(2);
    const later = new Date(Date.now() + 5 * 86_400_000);
    expect(describeCertificate(pki.server.cert, later).daysLeft).toBeLessThan(0);
    expect(() => describeCertificate('not a certificate')).toThrow(/not a PEM certificate/);
  });

  it('creates the files once, then reuses them while they are valid', async () => {
    const dir = await tempDir();

    const first = await loadOrCreatePki(dir, { renewWithinDays: 7 });
    const second = await loadOrCreatePki(dir, { renewWithinDays: 7 });

    expect(first.outcome).toBe('created');
    expect(await readFile(join(dir, PKI_FILES.clientCert), 'utf8')).toBe(first.pki.client.cert);
    expect(second.outcome).toBe('reused');
    expect(second.pki.ca).toBe(first.pki.ca);
    expect(second.pki.server).toEqual(first.pki.server);
  });

  it('renews certificates expiring within the renewal window, and writes the new ones', async () => {
    const dir = await tempDir();
    const expiring = await createTestPki({ validityDays: 2 });
    await writePki(dir, expiring);

    const renewed = await loadOrCreatePki(dir, { renewWithinDays: 7, validityDays: 30 });

    expect(renewed.outcome).toBe('renewed');
    expect(renewed.reason).toMatch(/renewal window/);
    expect(renewed.pki.server.cert).not.toBe(expiring.server.cert);
    expect(describeCertificate(renewed.pki.server.cert).daysLeft).toBeGreaterThanOrEqual(29);
    expect(await readFile(join(dir, PKI_FILES.serverCert), 'utf8')).toBe(renewed.pki.server.cert);
    expect((await loadOrCreatePki(dir, { renewWithinDays: 7 })).outcome).toBe('reused');
  });

  it('renews a PKI whose key does not match, or that does not cover the hostnames asked for', async () => {
    const dir = await tempDir();
    const [pki, stranger] = await Promise.all([createTestPki(), createTestPki()]);
    await writePki(dir, pki);
    await writeFile(join(dir, PKI_FILES.clientKey), stranger.client.key);

    const mismatched = await loadOrCreatePki(dir);
    expect(mismatched).toMatchObject({ outcome: 'renewed', reason: expect.stringMatching(/client key does not match/) });

    const widened = await loadOrCreatePki(dir, { hostnames: ['localhost', '127.0.0.1', 'courier-a.internal'] });
    expect(widened).toMatchObject({ outcome: 'renewed', reason: expect.stringMatching(/courier-a\.internal/) });
    expect(new X509Certificate(widened.pki.server.cert).checkHost('courier-a.internal')).toBe('courier-a.internal');
  });
});
