import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAuth, jwtSecretFrom } from '../../src/auth';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The matrix decides where a write goes: with the CRM named owner of the customer profile, updateCustomer writes the
 * CRM first, the site keeps a copy, and a CRM that is down gets the write queued, not lost.
 */
describe('a matrix that gives the customer profile to the CRM', () => {
  let stack: TestStack;
  let schemaDir: string;
  let token: string;

  beforeAll(async () => {
    schemaDir = await mkdtemp(path.join(tmpdir(), 'plugboard-matrix-'));
    await cp(path.join(__dirname, '..', '..', 'schema'), schemaDir, { recursive: true });
    const file = path.join(schemaDir, 'source-of-truth.yaml');
    const matrix = (await readFile(file, 'utf8')).replace(
      /email: +\{ owner: store, followers: \[crm, erp\]/,
      'email: { owner: crm, followers: [store, erp]',
    );
    expect(matrix).toContain('email: { owner: crm, followers: [store, erp]');
    await writeFile(file, matrix);
    stack = await startTestStack({}, { schemaDir });
    token = await createAuth({ secret: jwtSecretFrom().secret }).mint({ subject: 'matrix-test', scopes: ['customers:write'] });
  });

  afterAll(async () => {
    await stack?.close();
    await rm(schemaDir, { recursive: true, force: true });
  });

  const update = async (id: string, email: string) => {
    const response = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) {
          status owner auditId error { code system } followerJobs { system operation state } customer { email } } }`,
        variables: { input: { id, email } },
      }),
    });
    return ((await response.json()) as { data: { updateCustomer: Record<string, unknown> } }).data.updateCustomer;
  };
  const crmEmail = async (id: string) =>
    ((await (await fetch(`${stack.estate!.sandboxes.crm.url}/_sandbox/records/contacts-by-customer/${id}`)).json()) as {
      properties: { email: string };
    }).properties.email;

  it('writes the CRM first, keeps the site\'s copy, and only the ERP is left to follow', async () => {
    const receipt = await update('cus-00011', 'owner.is.crm@example.com');
    expect(receipt).toMatchObject({ status: 'APPLIED', owner: 'crm', error: null, customer: { email: 'owner.is.crm@example.com' } });
    expect(receipt.followerJobs).toEqual([expect.objectContaining({ system: 'erp', operation: 'upsertPartner' })]);
    expect(await crmEmail('cus-00011')).toBe('owner.is.crm@example.com');
  });

  it('queues the write to a CRM that is down, and applies it once the CRM is back', async () => {
    const crm = stack.estate!.sandboxes.crm;
    crm.setFault({ mode: 'down' });
    const receipt = await update('cus-00012', 'queued.for.crm@example.com');
    expect(receipt).toMatchObject({ status: 'QUEUED', owner: 'crm', error: { code: expect.stringMatching(/UPSTREAM_UNAVAILABLE|CIRCUIT_OPEN/), system: 'crm' } });
    expect((receipt.followerJobs as { system: string }[]).map((job) => job.system).sort()).toEqual(['crm', 'erp']);
    crm.setFault({ mode: 'ok' });
    const deadline = Date.now() + 15_000;
    while ((await crmEmail('cus-00012')) !== 'queued.for.crm@example.com') {
      if (Date.now() > deadline) throw new Error('the queued write never reached the CRM');
      await stack.writePath.worker?.drain();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
});
