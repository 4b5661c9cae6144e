import { createAuth, DEMO_JWT_SECRET } from '../../src/auth';
import type { CrmProfile } from '../../src/domain';
import { serveSubgraph, type RunningService } from '../../src/serve/serve-subgraph';
import { signSubgraphRequest } from '../../src/serve/subgraph-signature';
import { createCrmSubgraph } from '../../subgraphs/crm';
import { capturingLogger } from '../support/stand-ins';

/**
 * A subgraph's own port answers only the gateway (issue 15, "nothing around the door"): a request must be a POST
 * signed with the secret the gateway holds, over this body, at a time within the allowed skew; with reads closed it
 * must also carry a valid token; introspection and `_service` follow the profile; and an unexpected error is masked
 * for the caller but told in full to the log. The CRM's subgraph, over a directory that counts its calls.
 */

const SECRET = 'subgraph-door-test-secret-0123456789abcdef';
const SEGMENT = 'query Segment($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id segment } } }';
const segmentOf = (id: string) => JSON.stringify({ query: SEGMENT, variables: { r: [{ __typename: 'Customer', id }] } });

let directoryCalls = 0;
const logged: Record<string, unknown>[] = [];
let open: RunningService;
let closed: RunningService;
let production: RunningService;
const auth = createAuth({ secret: DEMO_JWT_SECRET, readsOpen: false });

beforeAll(async () => {
  const crm = await createCrmSubgraph({
    directory: {
      findByCustomerIds: async (ids) => {
        directoryCalls += 1;
        if (ids.includes('cus-00666')) throw new TypeError('boom: the CRM profile mapper met an undefined segment');
        return new Map(ids.map((id) => [id, { customerId: id, segment: 'VIP' } as CrmProfile]));
      },
      upsertProfile: () => Promise.reject(new Error('not in this test')),
      updateSegment: () => Promise.reject(new Error('not in this test')),
    },
  });
  open = await serveSubgraph(crm, { door: { secret: SECRET }, logger: capturingLogger(logged) });
  closed = await serveSubgraph(crm, {
    door: { secret: SECRET, requireToken: async (authorization) => (await auth.verify(authorization)) !== null },
    logger: capturingLogger(logged),
  });
  production = await serveSubgraph(crm, { door: { secret: SECRET }, introspection: false, logger: capturingLogger(logged) });
});

afterAll(async () => {
  await Promise.all([open, closed, production].map((service) => service?.close()));
});

beforeEach(() => {
  directoryCalls = 0;
  logged.length = 0;
});

type Body = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };

const post = async (service: RunningService, body: string, headers: Record<string, string> = {}) => {
  const response = await fetch(service.url!, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as Body };
};
const signed = (body: string, secret = SECRET, at?: Date) => signSubgraphRequest(secret, body, at);

describe('the door of a subgraph port', () => {
  it('refuses an unsigned request 401 with a stable code and the request id, before any system is called', async () => {
    const answer = await post(open, segmentOf('cus-00001'), { 'x-request-id': 'door-unsigned-01' });
    expect(answer).toEqual({
      status: 401,
      body: { errors: [{ message: expect.stringContaining('answers only the gateway'), extensions: { code: 'GATEWAY_SIGNATURE_MISSING', requestId: 'door-unsigned-01' } }] },
    });
    expect(directoryCalls).toBe(0);
  });

  it.each([
    ['signed with another secret', 'GATEWAY_SIGNATURE_INVALID', () => signed(segmentOf('cus-00001'), 'not-the-gateway-secret-0123456789abcdef')],
    ['signed for another body', 'GATEWAY_SIGNATURE_INVALID', () => signed(segmentOf('cus-00002'))],
    ['signed ten minutes ago', 'GATEWAY_SIGNATURE_EXPIRED', () => signed(segmentOf('cus-00001'), SECRET, new Date(Date.now() - 600_000))],
    ['signed ten minutes ahead', 'GATEWAY_SIGNATURE_EXPIRED', () => signed(segmentOf('cus-00001'), SECRET, new Date(Date.now() + 600_000))],
    ['with a malformed signature', 'GATEWAY_SIGNATURE_INVALID', () => ({ ...signed(segmentOf('cus-00001')), 'x-plugboard-signature': 'v1=zz' })],
  ])('refuses a request %s: 401 %s, nothing run', async (_name, code, headers) => {
    const answer = await post(open, segmentOf('cus-00001'), headers());
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0]?.extensions?.['code']).toBe(code);
    expect(answer.body.data).toBeUndefined();
    expect(directoryCalls).toBe(0);
  });

  it('refuses a GET (it carries no signed body): 405, nothing run', async () => {
    const response = await fetch(`${open.url}?query=${encodeURIComponent('{ _service { sdl } }')}`);
    expect(response.status).toBe(405);
    expect(((await response.json()) as Body).errors?.[0]?.extensions?.['code']).toBe('METHOD_NOT_ALLOWED');
  });

  it('serves a request the gateway signed', async () => {
    const body = segmentOf('cus-00001');
    expect(await post(open, body, signed(body))).toEqual({ status: 200, body: { data: { _entities: [{ id: 'cus-00001', segment: 'VIP' }] } } });
    expect(open.served().http).toBe(1);
  });
});

describe('reads closed, applied by the subgraph itself', () => {
  it('refuses an anonymous query even when it is signed', async () => {
    const body = segmentOf('cus-00001');
    const answer = await post(closed, body, { ...signed(body), 'x-request-id': 'door-anonymous-01' });
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', requestId: 'door-anonymous-01' });
    expect(directoryCalls).toBe(0);
  });

  it('refuses a signed query with a token it cannot verify, and serves one with a valid token', async () => {
    const body = segmentOf('cus-00001');
    expect((await post(closed, body, { ...signed(body), authorization: 'Bearer not.a.token' })).status).toBe(401);
    const token = await auth.mint({ subject: 'door-test', scopes: [] });
    expect(await post(closed, body, { ...signed(body), authorization: `Bearer ${token}` })).toEqual({
      status: 200,
      body: { data: { _entities: [{ id: 'cus-00001', segment: 'VIP' }] } },
    });
  });
});

describe('introspection and _service follow the profile', () => {
  it.each([
    ['_service', '{ _service { sdl } }'],
    ['introspection', '{ __schema { types { name } } }'],
  ])('production refuses %s; the demo serves it', async (_name, query) => {
    const body = JSON.stringify({ query });
    const refused = await post(production, body, signed(body));
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    const served = await post(open, body, signed(body));
    expect(served.body.errors).toBeUndefined();
    expect(JSON.stringify(served.body.data)).toContain(query.includes('_service') ? 'segment: CustomerSegment' : '"name":"Customer"');
  });
});

describe('a masked error', () => {
  it('is logged once with its original message, stack and the request id; the caller sees only INTERNAL_SERVER_ERROR', async () => {
    const body = segmentOf('cus-00666');
    const answer = await post(open, body, { ...signed(body), 'x-request-id': 'door-masked-01' });
    expect(answer.body.errors).toEqual([expect.objectContaining({ message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
    expect(JSON.stringify(answer.body)).not.toMatch(/boom|mapper|TypeError|stack/);

    const lines = logged.filter((line) => line['msg'] === 'masked error');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ requestId: 'door-masked-01', subgraph: 'crm', error: { type: 'TypeError', message: 'boom: the CRM profile mapper met an undefined segment' } });
    expect(String((lines[0]!['error'] as { stack?: string }).stack)).toContain('subgraph-door.test.ts');
  });
});
