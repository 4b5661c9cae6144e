import { compileSpec, describeDifference, SpecDifferenceError, type SpecCheck } from '.';

/**
 * The spec kit on a small description written for this test, with the OpenAPI 3.0 habits of the three vendors we
 * hold to theirs: nullable beside anyOf (Stripe) and beside a type (Xero), a composed object closed beside its allOf
 * (ShipEngine), readOnly fields, comma-separated array parameters (Xero), form bodies (Stripe), a server base path.
 */
const description = {
  openapi: '3.0.0',
  servers: [{ url: 'https://api.example.com/api.v2' }],
  paths: {
    '/parcels': {
      parameters: [{ name: 'tenant-id', in: 'header', required: true, schema: { type: 'string' } }],
      get: {
        operationId: 'listParcels',
        parameters: [
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'Statuses', in: 'query', explode: false, schema: { type: 'array', items: { type: 'string', enum: ['NEW', 'SENT'] } } },
        ],
        responses: {
          '200': { content: { 'application/json': { schema: { type: 'object', properties: { parcels: { type: 'array', items: { $ref: '#/components/schemas/parcel' } } } } } } },
          '400': { $ref: '#/components/responses/problem' },
        },
      },
      post: {
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/parcel' } } } },
        responses: { '201': { content: { 'application/json': { schema: { $ref: '#/components/schemas/parcel' } } } } },
      },
    },
    '/parcels/{parcel_id}': {
      get: {
        parameters: [{ name: 'parcel_id', in: 'path', required: true, schema: { type: 'string', pattern: '^pcl_' } }],
        responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/parcel' } } } }, '204': { description: 'gone' } },
      },
    },
    '/parcels/latest': { get: { responses: { '200': { content: { 'application/json': { schema: { type: 'string' } } } } } } },
    '/charges': {
      post: {
        requestBody: {
          content: {
            'application/x-www-form-urlencoded': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['amount'],
                properties: { amount: { type: 'integer' }, capture: { type: 'boolean' }, metadata: { type: 'object', additionalProperties: { type: 'string' } } },
              },
            },
          },
        },
        responses: { default: { content: { 'application/json': { schema: { $ref: '#/components/schemas/error' } } } } },
      },
    },
  },
  components: {
    schemas: {
      parcel: {
        type: 'object',
        additionalProperties: false,
        allOf: [{ $ref: '#/components/schemas/weighed' }],
        required: ['id', 'status', 'label'],
        properties: {
          id: { type: 'string', readOnly: true },
          status: { type: 'string', enum: ['NEW', 'SENT'] },
          label: { nullable: true, anyOf: [{ $ref: '#/components/schemas/label' }] },
          note: { type: 'string', nullable: true },
        },
      },
      weighed: { type: 'object', additionalProperties: false, required: ['grams'], properties: { grams: { type: 'integer', minimum: 0, exclusiveMinimum: true } } },
      label: { type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'url' } } },
      error: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
    },
    responses: { problem: { content: { 'application/json': { schema: { $ref: '#/components/schemas/error' } } } } },
  },
};

const parcel = { id: 'pcl_1', status: 'NEW', label: { url: 'http://127.0.0.1:4105/label.pdf' }, note: null, grams: 500 };

describe('the spec kit', () => {
  let spec: SpecCheck;
  beforeAll(() => {
    spec = compileSpec(description, { vendor: 'Example', closedQuery: false });
  });

  it('finds nothing wrong with an exchange the description allows', () => {
    expect(spec.checkRequest({ method: 'GET', path: '/parcels', query: { page: '2', Statuses: 'NEW,SENT' }, headers: { 'Tenant-Id': 't1' } })).toEqual([]);
    expect(spec.checkAnswer('GET', '/parcels', 200, { parcels: [parcel, { ...parcel, label: null }] })).toEqual([]);
    // readOnly: the id is required in an answer, not in a request.
    const { id: _id, ...sent } = parcel;
    expect(spec.checkRequest({ method: 'POST', path: '/parcels', body: sent, headers: { 'tenant-id': 't1' } })).toEqual([]);
  });

  it('names the field, what the description says and what was seen, for a field of the wrong type in an answer', () => {
    expect(spec.checkAnswer('GET', '/parcels', 200, { parcels: [{ ...parcel, grams: '500' }] })).toEqual([
      { part: 'answer', path: ['parcels', '0', 'grams'], rule: 'type', expected: 'integer', seen: '"500"', message: 'answer 200/parcels/0/grams must be integer' },
    ]);
    // A nullable field of the wrong type is one difference, not three (its type, its null alternative, their anyOf).
    const [note] = spec.checkAnswer('GET', '/parcels/pcl_1', 200, { ...parcel, note: 7 });
    expect(note).toMatchObject({ path: ['note'], expected: 'string', seen: '7' });
    expect(spec.checkAnswer('GET', '/parcels/pcl_1', 200, { ...parcel, note: 7 })).toHaveLength(1);
    expect(describeDifference(note!)).toBe('answer 200/note must be string (saw 7)');
  });

  it('closes a composed object beside its allOf, and only there', () => {
    expect(spec.checkAnswer('GET', '/parcels/pcl_1', 200, { ...parcel, colour: 'red' })).toEqual([
      expect.objectContaining({ path: ['colour'], rule: 'unevaluatedProperties', seen: '"red"' }),
    ]);
    expect(spec.checkAnswer('GET', '/parcels/pcl_1', 200, { ...parcel, grams: 0 })).toEqual([expect.objectContaining({ path: ['grams'], rule: 'exclusiveMinimum' })]);
    expect(spec.checkAnswer('GET', '/parcels/pcl_1', 200, { ...parcel, label: { url: 'not a url' } })).toEqual([expect.objectContaining({ path: ['label', 'url'], rule: 'format' })]);
  });

  it('checks path, query and header parameters, a required body and a missing field', () => {
    expect(spec.checkRequest({ method: 'GET', path: '/parcels', query: { page: 'first', Statuses: 'NEW,LOST' }, headers: {} }).map((difference) => difference.message)).toEqual([
      'the query parameter page must be integer',
      'the query parameter Statuses/1 must be equal to one of the allowed values',
      'the header parameter tenant-id is required',
    ]);
    // Headers left out are not checked (an adapter may not know every header its transport adds).
    expect(spec.checkRequest({ method: 'GET', path: '/parcels' })).toEqual([]);
    expect(spec.checkRequest({ method: 'GET', path: '/parcels/box_1' })).toEqual([expect.objectContaining({ part: 'path', path: ['parcel_id'], rule: 'pattern', seen: '"box_1"' })]);
    expect(spec.checkRequest({ method: 'POST', path: '/parcels' }).map((difference) => difference.message)).toEqual(['request body is required']);
    expect(spec.checkRequest({ method: 'POST', path: '/parcels', body: { status: 'NEW', label: null } })).toEqual([
      expect.objectContaining({ part: 'body', path: ['grams'], rule: 'required', seen: 'nothing', message: "request body must have required property 'grams'" }),
    ]);
  });

  it('reads a form body as the vendor does (strings coerced to the declared types) and refuses unknown query parameters when told to', () => {
    expect(spec.checkRequest({ method: 'POST', path: '/charges', body: { amount: '1200', capture: 'true', metadata: { order_id: 'o1' } }, contentType: 'application/x-www-form-urlencoded' })).toEqual([]);
    expect(spec.checkRequest({ method: 'POST', path: '/charges', body: { amount: 'ten', colour: 'red' } })).toEqual([
      expect.objectContaining({ path: ['colour'], rule: 'additionalProperties', expected: 'not there' }),
      expect.objectContaining({ path: ['amount'], rule: 'type', expected: 'integer', seen: '"ten"' }),
    ]);
    const closed = compileSpec(description, { vendor: 'Example', closedQuery: true });
    expect(closed.checkRequest({ method: 'GET', path: '/parcels', query: { page: '1', colour: 'red' } }).map((difference) => difference.message)).toEqual([
      'the query parameter colour is not in the description',
    ]);
  });

  it('finds operations as the description writes them: a literal path before a template, the server base path dropped', () => {
    expect(spec.operationOf('GET', '/parcels/latest')).toEqual({ template: '/parcels/latest' });
    expect(spec.operationOf('get', '/api.v2/parcels?page=1')).toEqual({ template: '/parcels', operationId: 'listParcels' });
    expect(spec.checkRequest({ method: 'DELETE', path: '/parcels' })).toEqual([
      expect.objectContaining({ part: 'operation', message: "DELETE /parcels is not in Example's description" }),
    ]);
  });

  it('checks answers by status: a described error, a default, an undescribed success; not an undescribed error or a 204', () => {
    expect(spec.checkAnswer('GET', '/parcels', 400, { message: 42 })).toEqual([expect.objectContaining({ message: 'answer 400/message must be string' })]);
    expect(spec.checkAnswer('POST', '/charges', 402, {})).toEqual([expect.objectContaining({ path: ['message'], rule: 'required' })]);
    expect(spec.checkAnswer('GET', '/parcels', 202, {})).toEqual([expect.objectContaining({ message: "GET /parcels: Example's description has no 202 answer" })]);
    expect(spec.checkAnswer('GET', '/parcels', 429, 'slow down')).toEqual([]);
    expect(spec.checkAnswer('GET', '/parcels/pcl_1', 204, undefined)).toEqual([]);
  });

  it('checks a value against a schema of the description by its pointer', () => {
    expect(spec.checkValue('/components/schemas/error', { message: 'x' })).toEqual([]);
    expect(spec.checkValue('/components/schemas/error', {}, 'event')).toEqual([expect.objectContaining({ message: "event must have required property 'message'" })]);
  });

  it('throws in strict mode, naming each field and what was seen', () => {
    const strict = spec.strict();
    expect(() => strict.assertAnswer('GET', '/parcels/pcl_1', 200, parcel)).not.toThrow();
    const thrown = (() => {
      try {
        strict.assertAnswer('GET', '/parcels/pcl_1', 200, { ...parcel, status: 'LOST', grams: '1' });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(SpecDifferenceError);
    expect((thrown as Error).message).toBe(
      "outside Example's description: answer 200/grams must be integer (saw \"1\"); answer 200/status must be equal to one of the allowed values (saw \"LOST\")",
    );
    expect(() => strict.assertRequest({ method: 'GET', path: '/nowhere' })).toThrow("GET /nowhere is not in Example's description");
  });

  it('compiles every operation up front when warmed, and checks the same afterwards', () => {
    const warmed = compileSpec(description, { vendor: 'Example' });
    warmed.warm();
    expect(warmed.checkAnswer('GET', '/parcels/pcl_1', 200, { ...parcel, grams: '1' })).toHaveLength(1);
  });
});
