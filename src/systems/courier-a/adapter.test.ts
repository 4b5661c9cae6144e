import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createCourierAAdapter, type CourierAAdapter, type CourierAAdapterOptions } from './adapter';
import { isIntegrationError, type IntegrationError, type ShipmentStatus } from '../../domain';
import {
  createTestPki,
  describeCertificate,
  loadOrCreatePki,
  PKI_FILES,
  writePki,
  type TestPki,
} from '../../pki';
import { createCourierASandbox } from './sandbox';
import { startSandbox } from '../kit/sandbox';
import { generateEstate } from '../kit/seed';
import { describeCourierContract, type StoredShipment } from '../../../test/contracts/courier.contract';

const estate = generateEstate();

/** How this test reads courier A's status codes back, written independently of the adapter's mapper. */
const STATUS_OF_CODE: Readonly<Record<string, ShipmentStatus>> = {
  PRE_ADVICE: 'LABEL_CREATED',
  IN_TRANSIT: 'IN_TRANSIT',
  DELIVERED: 'DELIVERED',
  EXCEPTION: 'EXCEPTION',
  CANCELLED: 'CANCELLED',
};

interface ConsignmentRecord {
  ConsignmentNo: string;
  Reference: string;
  Barcode: string;
  StatusCode: string;
  Receiver: { Name: string; Phone: string | null };
}

/**
 * Courier A over HTTPS: the window needs only the CA (it asks for no client certificate); carrier routes need the
 * client certificate too.
 */
function httpsClient(sandboxUrl: string, tls: { ca: string; cert?: string; key?: string }) {
  const agent = new Agent({ connect: { ...tls, rejectUnauthorized: true } });
  return {
    async send(method: 'GET' | 'POST', path: string, body?: string, headers: Record<string, string> = {}) {
      const response = await request(`${sandboxUrl}${path}`, {
        method,
        dispatcher: agent,
        headers: body === undefined ? headers : { 'content-type': 'application/xml', ...headers },
        body,
      });
      return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
    },
    close: () => agent.close(),
  };
}

async function failureOf(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => new Error('expected the call to fail, and it succeeded'),
    (caught: unknown) => caught,
  );
  if (!isIntegrationError(error)) throw error;
  return error;
}

async function startCourierA(pki: TestPki) {
  const sandbox = await startSandbox(createCourierASandbox(estate, { pki }));
  const window = httpsClient(sandbox.url, { ca: pki.ca });
  const json = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await window.send('GET', path);
    return { status: response.status, body: JSON.parse(response.text) as T };
  };
  const stats = async () =>
    (await json<{ total: number; byOperation: Record<string, number> }>('/_sandbox/stats')).body;
  return {
    sandbox,
    json,
    stats,
    async setFault(setting: object) {
      const response = await window.send('POST', '/_sandbox/faults', JSON.stringify(setting), {
        'content-type': 'application/json',
      });
      expect(response.status).toBe(200);
    },
    async consignment(no: string): Promise<ConsignmentRecord | undefined> {
      const { status, body } = await json<ConsignmentRecord>(`/_sandbox/records/consignments/${encodeURIComponent(no)}`);
      return status === 404 ? undefined : body;
    },
    async close() {
      await window.close();
      await sandbox.close();
    },
  };
}

describeCourierContract('courier A adapter (XML, mutual TLS) against its sandbox', async () => {
  const pki = await createTestPki();
  const a = await startCourierA(pki);
  const courier = createCourierAAdapter({ baseUrl: a.sandbox.url, tls: { ca: pki.ca, ...pki.client } });
  return {
    courier,
    system: 'courier-a',
    estate,
    unknownShipmentId: 'courier-a:CA999999',
    setFault: a.setFault,
    batchReadCalls: async () => (await a.stats()).byOperation.track ?? 0,
    totalCalls: async () => (await a.stats()).total,
    async stored(shipmentId): Promise<StoredShipment | undefined> {
      const consignment = await a.consignment(shipmentId.replace(/^courier-a:/, ''));
      if (!consignment) return undefined;
      return {
        orderId: consignment.Reference,
        trackingNumber: consignment.Barcode,
        status: STATUS_OF_CODE[consignment.StatusCode] ?? 'EXCEPTION',
      };
    },
    async storedForOrder(orderId) {
      const { status, body } = await a.json<string[]>(
        `/_sandbox/records/consignments-by-order/${encodeURIComponent(orderId)}`,
      );
      return status === 404 ? 0 : body.length;
    },
    async close() {
      await courier.close();
      await a.close();
    },
  };
});

describe('courier A: mutual TLS and XML specifics', () => {
  let pki: TestPki;
  let other: TestPki;
  let a: Awaited<ReturnType<typeof startCourierA>>;
  const opened: { close(): Promise<void> }[] = [];
  const tracked = estate.shipments.find((shipment) => shipment.carrier === 'courier-a') ?? estate.shipments[0]!;
  const trackRequest = `<?xml version="1.0"?><TrackRequest><Reference>${tracked.orderId}</Reference></TrackRequest>`;

  function adapter(options: Partial<CourierAAdapterOptions> = {}): CourierAAdapter {
    const courier = createCourierAAdapter({ baseUrl: a.sandbox.url, tls: { ca: pki.ca, ...pki.client }, ...options });
    opened.push(courier);
    return courier;
  }

  function client(tls: { ca: string; cert?: string; key?: string }) {
    const made = httpsClient(a.sandbox.url, tls);
    opened.push(made);
    return made;
  }

  beforeAll(async () => {
    [pki, other] = await Promise.all([createTestPki(), createTestPki()]);
    a = await startCourierA(pki);
  });
  afterAll(async () => {
    for (const resource of opened) await resource.close();
    await a.close();
  });

  it('tracks for a client presenting the certificate the carrier CA issued', async () => {
    const response = await client({ ca: pki.ca, ...pki.client }).send('POST', '/api/v2/track', trackRequest);
    expect(response.status).toBe(200);
    expect(response.text).toContain(`<Barcode>${tracked.trackingNumber}</Barcode>`);
  });

  it('refuses a client without a certificate with a 403 fault, closes the connection and tracks nothing', async () => {
    const before = (await a.stats()).total;

    const response = await client({ ca: pki.ca }).send('POST', '/api/v2/track', trackRequest);

    expect(response.status).toBe(403);
    expect(response.headers.connection).toBe('close');
    expect(response.text).toContain('<Code>CLIENT_CERTIFICATE_REQUIRED</Code>');
    expect((await a.stats()).total).toBe(before);
  });

  it('refuses a client certificate issued by another CA, which the adapter reports as UPSTREAM_AUTH_FAILED', async () => {
    const response = await client({ ca: pki.ca, ...other.client }).send('POST', '/api/v2/track', trackRequest);
    expect(response.status).toBe(403);
    expect(response.text).toContain('<Code>CLIENT_CERTIFICATE_REQUIRED</Code>');

    const error = await failureOf(adapter({ tls: { ca: pki.ca, ...other.client } }).findByOrderIds([tracked.orderId]));
    expect({ code: error.code, system: error.system }).toEqual({ code: 'UPSTREAM_AUTH_FAILED', system: 'courier-a' });
    expect(error.message).toContain('CLIENT_CERTIFICATE_REQUIRED');
  });

  it('refuses to talk to a server its CA did not sign, as UPSTREAM_AUTH_FAILED, sending nothing', async () => {
    const before = (await a.stats()).total;
    const error = await failureOf(adapter({ tls: { ca: other.ca, ...pki.client } }).findByOrderIds([tracked.orderId]));
    expect({ code: error.code, system: error.system }).toEqual({ code: 'UPSTREAM_AUTH_FAILED', system: 'courier-a' });
    expect(error.message).toMatch(/TLS/);
    expect((await a.stats()).total).toBe(before);
  });

  it('refuses requests carrying a DOCTYPE or ENTITY declaration', async () => {
    const evil =
      '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>' +
      '<TrackRequest><Reference>&x;</Reference></TrackRequest>';
    const response = await client({ ca: pki.ca, ...pki.client }).send('POST', '/api/v2/track', evil);
    expect(response.status).toBe(400);
    expect(response.text).toContain('<Code>DTD_NOT_ALLOWED</Code>');
    expect(response.text).not.toContain('root:');
  });

  it('honours an X-Idempotency-Key header as it honours the IdempotencyKey element', async () => {
    const carrier = client({ ca: pki.ca, ...pki.client });
    const shipmentRequest =
      '<?xml version="1.0"?><ShipmentRequest><Reference>ord-000010</Reference><Parcels>1</Parcels>' +
      '<Receiver><Name>Header Keyed</Name></Receiver></ShipmentRequest>';
    const book = async () => {
      const headers = { 'x-idempotency-key': `header-${process.pid}` };
      const response = await carrier.send('POST', '/api/v2/consignments', shipmentRequest, headers);
      return { status: response.status, no: /<ConsignmentNo>([^<]+)<\/ConsignmentNo>/.exec(response.text)?.[1] };
    };

    const first = await book();
    const again = await book();

    expect(first).toEqual({ status: 201, no: expect.stringMatching(/^CA\d+$/) });
    expect(again).toEqual({ status: 200, no: first.no });
  });

  it('escapes what it sends: a recipient with XML metacharacters in the name arrives intact', async () => {
    const name = `Zoë & "Bart" <O'Neil> ]]>`;
    const shipment = await adapter().bookShipment({
      orderId: 'ord-000008',
      recipient: { name, phone: null },
      parcels: 1,
      idempotencyKey: `escape-${process.pid}`,
    });

    const stored = await a.consignment(shipment.id.replace(/^courier-a:/, ''));
    expect(stored?.Receiver).toEqual({ Name: name, Phone: null });
    expect(stored?.Reference).toBe('ord-000008');
  });

  describe('an answer carrying a DTD', () => {
    let server: Server;
    let url: string;
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>' +
      '<TrackResponse><Consignment><ConsignmentNo>&lol3;</ConsignmentNo></Consignment></TrackResponse>';

    beforeAll(async () => {
      // A crafted carrier: the right certificate, a hostile answer.
      server = createServer({ key: pki.server.key, cert: pki.server.cert }, (req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/xml' }).end(laughs);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('is refused as UPSTREAM_BAD_RESPONSE, its entities never expanded', async () => {
      const courier = adapter({ baseUrl: url });
      const error = await failureOf(courier.findByOrderIds([tracked.orderId]));
      expect({ code: error.code, system: error.system }).toEqual({ code: 'UPSTREAM_BAD_RESPONSE', system: 'courier-a' });
      expect(error.message).toMatch(/DOCTYPE/);
    });
  });
});

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
