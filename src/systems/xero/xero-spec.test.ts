import { readFileSync } from 'node:fs';
import { createXeroAdapter } from './adapter';
import { startSandbox, type RunningSandbox } from '../kit/sandbox';
import { generateEstate } from '../kit/seed';
import { createXeroSandbox, SPEC_VIOLATIONS, XERO_API_BASE, XERO_SANDBOX_CREDENTIALS, XERO_TOKEN_PATH, type StoredInvoice } from './sandbox';
import { loadXeroSpec, XERO_SPEC_FILE } from './sandbox/spec';

/** The Xero sandbox held to Xero's own description (xero-accounting.trimmed.json) through the spec kit. */

const { clientId, clientSecret, tenantId } = XERO_SANDBOX_CREDENTIALS;

describe("the Xero sandbox against Xero's description", () => {
  let sandbox: RunningSandbox;
  beforeEach(async () => {
    sandbox = await startSandbox(createXeroSandbox({ estate: generateEstate() }));
  });
  afterEach(async () => {
    await sandbox.close();
  });
  const violations = (): unknown[] => [...sandbox.records.collection(SPEC_VIOLATIONS).values()];

  it('finds an answer outside the description (a field of the wrong type) and a request outside it', () => {
    const spec = loadXeroSpec();
    expect(spec.checkAnswer('GET', '/Invoices', 200, { Invoices: [{ InvoiceID: '7b3c9a4e-2f61-4d0c-9a7e-5c1e8f0d2b46', AmountDue: '12.00' }] })).toEqual([
      expect.objectContaining({ path: ['Invoices', '0', 'AmountDue'], expected: 'number', seen: '"12.00"', message: 'answer 200/Invoices/0/AmountDue must be number' }),
    ]);
    expect(spec.checkRequest({ method: 'POST', path: '/Invoices', query: {}, headers: {}, body: { Invoices: [{ Type: 'INVOICE' }] } }).map((difference) => difference.message)).toEqual([
      'the header parameter xero-tenant-id is required',
      'request body/Invoices/0/Type must be equal to one of the allowed values',
    ]);
    expect(spec.checkRequest({ method: 'DELETE', path: '/Invoices', query: {}, headers: {} }).map((difference) => difference.message)).toEqual([
      "DELETE /Invoices is not in Xero's description",
    ]);
  });

  it("passes Xero's own example answers (kept in the trimmed copy), strictly: the check refuses nothing Xero sends", () => {
    const description = JSON.parse(readFileSync(XERO_SPEC_FILE, 'utf8')) as { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { example: string }> }> }>> };
    const strict = loadXeroSpec().strict();
    for (const method of ['get', 'post']) {
      const example = JSON.parse(description.paths['/Invoices']![method]!.responses['200']!.content['application/json']!.example) as { Invoices: unknown[] };
      expect(example.Invoices.length).toBeGreaterThan(0);
      expect(() => strict.assertAnswer(method, '/Invoices', 200, example)).not.toThrow();
    }
    expect(() => strict.assertAnswer('get', '/Invoices', 200, { Invoices: [{ Status: 'SENT' }] })).toThrow(/answer 200\/Invoices\/0\/Status must be equal to one of the allowed values \(saw "SENT"\)/);
  });

  it('refuses a request outside the description as Xero does (400 ValidationException) and writes it down', async () => {
    const token = (await (
      await fetch(`${sandbox.url}${XERO_TOKEN_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
        body: 'grant_type=client_credentials',
      })
    ).json()) as { access_token: string };
    const response = await fetch(`${sandbox.url}${XERO_API_BASE}/Invoices?page=first`, {
      headers: { authorization: `Bearer ${token.access_token}`, 'xero-tenant-id': tenantId },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ Type: 'ValidationException', Message: expect.stringContaining('the query parameter page must be integer') });
    expect(violations()).toEqual([{ side: 'request', operation: 'GET /Invoices', problems: ['the query parameter page must be integer'] }]);
  });

  it('goes red when its answer leaves the description: a stored amount switched to a string fails the read, naming the field', async () => {
    const adapter = createXeroAdapter({ ...XERO_SANDBOX_CREDENTIALS, baseUrl: `${sandbox.url}${XERO_API_BASE}`, tokenUrl: `${sandbox.url}${XERO_TOKEN_PATH}` });
    try {
      const invoices = sandbox.records.collection<StoredInvoice>('invoices');
      const [id, invoice] = [...invoices.entries()][0]!;
      // The records window is the seam: the sandbox's code is unchanged, one field of what it keeps changes type.
      invoices.set(id, { ...invoice, AmountPaid: String(invoice.AmountPaid) as unknown as number });

      await expect(adapter.findInvoicesByOrderIds([invoice.Reference])).rejects.toMatchObject({ system: 'xero', code: 'UPSTREAM_UNAVAILABLE' });
      expect(violations()).toEqual([{ side: 'answer', operation: 'GET /Invoices', problems: ['answer 200/Invoices/0/AmountPaid must be number'] }]);
    } finally {
      await adapter.close();
    }
  });
});
