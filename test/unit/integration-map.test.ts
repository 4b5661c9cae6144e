import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONFIG_KEYS } from '../../src/config';
import { fieldsFollowedBy, fieldsOwnedBy, flowsOf, followersOf, ownerOf, ruleFor } from '../../src/domain';
import { SYSTEM_NAMES, SYSTEMS } from '../../src/estate/systems';
import { schemaWithout } from '../support/schema-without';
import {
  CredentialsError,
  IntegrationMapError,
  loadIntegrationMap,
  renderIntegrationMapMarkdown,
  resolveCredentials,
  SCHEMA_DIR,
  type IntegrationMap,
} from '../../src/integration-map';

const MAP = 'integration-map.yaml';
const MATRIX = 'source-of-truth.yaml';
const committed = (file: string): string => readFileSync(path.join(SCHEMA_DIR, file), 'utf8');

const temporary: string[] = [];
afterAll(() => temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Replaces `from` by `to` once, after `after` when given; fails loudly when the text is not there. */
function edit(text: string, from: string, to: string, after = ''): string {
  const start = text.indexOf(after);
  const at = start < 0 ? -1 : text.indexOf(from, start);
  if (at < 0) throw new Error(`the committed file no longer contains ${JSON.stringify(from)} after ${JSON.stringify(after)}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** A copy of schema/ (map, matrix, supergraph) with the given files rewritten. */
function schemaWith(changes: { map?: (text: string) => string; matrix?: (text: string) => string }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'plugboard-map-'));
  temporary.push(dir);
  copyFileSync(path.join(SCHEMA_DIR, 'supergraph.graphql'), path.join(dir, 'supergraph.graphql'));
  writeFileSync(path.join(dir, MAP), (changes.map ?? ((text) => text))(committed(MAP)));
  writeFileSync(path.join(dir, MATRIX), (changes.matrix ?? ((text) => text))(committed(MATRIX)));
  return dir;
}

/** The problems loading `dir` reports, each as the line a person reads. */
function problemsOf(dir: string): readonly string[] {
  try {
    loadIntegrationMap(dir);
  } catch (error) {
    if (error instanceof IntegrationMapError) return error.problems;
    throw error;
  }
  throw new Error('the map loaded, but it should not have');
}

/** The 1-based line of the first line holding `text` in a file of `dir`. */
function lineOf(dir: string, file: string, text: string, after = ''): number {
  const source = readFileSync(path.join(dir, file), 'utf8');
  return source.slice(0, source.indexOf(text, source.indexOf(after))).split('\n').length;
}

describe('the committed integration map and source-of-truth matrix', () => {
  const { map, matrix } = loadIntegrationMap();

  it('load, and declare every system Plugboard connects to with what a client needs to know', () => {
    expect(Object.keys(map.systems)).toEqual([...SYSTEM_NAMES]);
    const crm = map.systems.crm!;
    expect(crm).toMatchObject({
      kind: 'crm',
      baseUrl: { env: 'CRM_URL', sandbox: 'http://127.0.0.1:4101' },
      credentialsOwner: 'Marketing operations (CRM admin)',
      auth: {
        model: 'oauth2-refresh-token',
        clientId: { env: 'CRM_CLIENT_ID' },
        clientSecret: { env: 'CRM_CLIENT_SECRET' },
        refreshToken: { env: 'CRM_REFRESH_TOKEN' },
      },
      rateLimit: { requests: 100, perSeconds: 10 },
      sandbox: true,
      format: 'json',
      timeoutMs: 8000,
    });
    expect(map.systems['courier-a']?.auth).toEqual({
      model: 'basic',
      username: { env: 'COURIER_A_USERNAME' },
      password: { env: 'COURIER_A_PASSWORD' },
    });
  });

  it('agree with the estate: its auth models, formats and sandbox ports, and only documented settings', () => {
    for (const system of SYSTEMS) {
      const entry = map.systems[system.name]!;
      expect({ name: system.name, auth: entry.auth.model, format: entry.format }).toEqual({ name: system.name, auth: system.auth, format: system.format });
      if (system.sandboxPort) expect(new URL(entry.baseUrl.sandbox!).port).toBe(String(system.sandboxPort));
    }
    const named = Object.values(map.systems).flatMap((entry) => [
      entry.baseUrl.env,
      ...Object.values(entry.auth).flatMap((value) => (typeof value === 'object' && value.env ? [value.env] : [])),
    ]);
    expect(named.filter((name) => !(name in CONFIG_KEYS))).toEqual([]);
  });

  it('say who owns and who follows each field, as the demo matrix decides', () => {
    expect(ruleFor(matrix, 'Customer', 'email')).toEqual({
      owner: { kind: 'system', system: 'store' },
      followers: ['crm', 'erp'],
      direction: 'owner-to-followers',
      conflict: 'owner-wins',
    });
    expect(ruleFor(matrix, 'Order', 'status')).toMatchObject({ direction: 'bidirectional', conflict: 'latest-timestamp-wins', followers: ['erp'] });
    expect(ruleFor(matrix, 'Customer', 'id')).toBeUndefined();
    expect(ruleFor(matrix, 'Nope', 'email')).toBeUndefined();

    expect(ownerOf(matrix, 'Customer', 'segment')).toBe('crm');
    expect(ownerOf(matrix, 'InventoryItem', 'price')).toBe('erp');
    // A shipment belongs to the courier that carries it.
    expect(ownerOf(matrix, 'Shipment', 'status', { carrier: 'courier-b' })).toBe('courier-b');
    expect(ownerOf(matrix, 'Shipment', 'status', { carrier: 'the-post' })).toBeUndefined();
    expect(ownerOf(matrix, 'Shipment', 'status')).toBeUndefined();

    expect(followersOf(matrix, 'InventoryItem', 'onHand')).toEqual(['store']);
    expect(followersOf(matrix, 'Payment', 'status')).toEqual([]);
    expect(fieldsOwnedBy(matrix, 'crm')).toEqual([
      { entity: 'Customer', field: 'segment' },
      { entity: 'Customer', field: 'lifetimeValue' },
    ]);
    expect(fieldsOwnedBy(matrix, 'courier-a')).toEqual([
      { entity: 'Shipment', field: 'status' },
      { entity: 'Shipment', field: 'trackingNumber' },
    ]);
    expect(fieldsOwnedBy(matrix, 'legacy')).toEqual([]);
    expect(fieldsFollowedBy(matrix, 'store').map(({ entity, field }) => `${entity}.${field}`)).toEqual([
      'InventoryItem.name',
      'InventoryItem.onHand',
      'InventoryItem.available',
      'InventoryItem.price',
    ]);
    expect(flowsOf(matrix)).toContainEqual({
      entity: 'Order',
      owner: 'store',
      follower: 'erp',
      direction: 'bidirectional',
      conflict: 'latest-timestamp-wins',
      fields: ['status'],
    });
  });

  it('render as Markdown for the repository: a mermaid diagram of every wire and both tables', () => {
    const markdown = renderIntegrationMapMarkdown({ map, matrix });
    expect(markdown).toContain('```mermaid\nflowchart LR');
    expect(markdown).toContain('sys_store <-->|"Order: status"| sys_erp');
    expect(markdown).toContain('sys_erp -->|"InventoryItem: name, onHand, available, price"| sys_store');
    expect(markdown).toContain('sys_courier_a -.->|"Shipment: status, trackingNumber"| sys_store');
    expect(markdown).toContain('| Customer | `email` | store | crm, erp | owner → followers | owner wins |');
    expect(markdown).toContain('clientSecret: `$CRM_CLIENT_SECRET`');
  });
});

describe('an invalid map stops the start with a message that names the file, the line and the place', () => {
  it('a misspelt key, with the key it probably meant', () => {
    const dir = schemaWith({ map: (text) => edit(text, 'timeoutMs: 8000', 'timeout: 8000', '\n  crm:\n') });
    expect(problemsOf(dir)).toEqual([
      `${path.join(dir, MAP)}:${lineOf(dir, MAP, 'timeout: 8000', '\n  crm:\n')}: systems.crm.timeout: unknown key (did you mean timeoutMs?)`,
    ]);
  });

  it('an unknown system as an owner', () => {
    const dir = schemaWith({ matrix: (text) => edit(text, 'email:         { owner: store,', 'email:         { owner: stor,') });
    expect(problemsOf(dir)).toEqual([
      `${path.join(dir, MATRIX)}:${lineOf(dir, MATRIX, 'email:')}: entities.Customer.fields.email.owner: unknown system "stor" ` +
        '(did you mean store? the map has: store, crm, erp, payments, courier-a, courier-b, xero, legacy)',
    ]);
  });

  it('a follower that is not in the map', () => {
    const dir = schemaWith({ matrix: (text) => edit(text, 'followers: [erp], direction: bidirectional', 'followers: [erpp], direction: bidirectional') });
    expect(problemsOf(dir)).toEqual([
      `${path.join(dir, MATRIX)}:${lineOf(dir, MATRIX, 'status:   { owner: store')}: entities.Order.fields.status.followers[0]: ` +
        'unknown system "erpp" (did you mean erp? the map has: store, crm, erp, payments, courier-a, courier-b, xero, legacy)',
    ]);
  });

  it('a field with two owners', () => {
    const dir = schemaWith({ matrix: (text) => edit(text, 'email:         { owner: store, followers: [crm, erp]', 'email:         { owner: [store, crm], followers: [erp]') });
    expect(problemsOf(dir)).toEqual([
      `${path.join(dir, MATRIX)}:${lineOf(dir, MATRIX, 'email:')}: entities.Customer.fields.email: owned twice (store, crm): ` +
        'a field has exactly one owner; make the others followers',
    ]);
  });

  it('a field written twice, which YAML would otherwise quietly resolve by keeping one', () => {
    const dir = schemaWith({
      matrix: (text) =>
        edit(text, '      segment:', '      email:         { owner: crm, followers: [], direction: owner-to-followers, conflict: owner-wins }\n      segment:'),
    });
    const first = lineOf(dir, MATRIX, 'email:');
    expect(problemsOf(dir)).toEqual([
      `${path.join(dir, MATRIX)}:${first + 3}: entities.Customer.fields.email: written twice (first at line ${first}); YAML keeps only one, so write each key once`,
    ]);
  });

  it('a secret written into the map, refused without repeating it', () => {
    const secret = 'cs_live_9f8e7d6c5b4a';
    const dir = schemaWith({ map: (text) => edit(text, 'clientSecret: { env: CRM_CLIENT_SECRET }', `clientSecret: ${secret}`) });
    const problems = problemsOf(dir);
    expect(problems).toEqual([
      `${path.join(dir, MAP)}:${lineOf(dir, MAP, 'clientSecret:')}: systems.crm.auth.clientSecret: a literal value: credentials come from ` +
        'environment variables or files, never from the map (write { env: NAME } or { file: /path })',
    ]);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('a secret put where a variable name belongs is refused without repeating it either', () => {
    const secret = 'sk_live_51Habc';
    const dir = schemaWith({ map: (text) => edit(text, 'apiKey: { env: PAYMENTS_SECRET_KEY }', `apiKey: { env: ${secret} }`) });
    const problems = problemsOf(dir);
    expect(problems).toEqual([
      `${path.join(dir, MAP)}:${lineOf(dir, MAP, `env: ${secret}`)}: systems.payments.auth.apiKey.env: not an environment variable name (capital letters, digits and _)`,
    ]);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it.each([
    {
      what: 'an owner listed as its own follower',
      matrix: (text: string) => edit(text, '{ owner: erp, followers: [store]', '{ owner: erp, followers: [erp]'),
      place: 'entities.InventoryItem.fields.name.followers[0]',
      message: '"erp" owns this field: an owner does not follow itself',
    },
    {
      what: 'bidirectional with owner-wins',
      matrix: (text: string) => edit(text, 'direction: bidirectional, conflict: latest-timestamp-wins', 'direction: bidirectional, conflict: owner-wins'),
      place: 'entities.Order.fields.status.conflict',
      message: 'bidirectional takes latest-timestamp-wins: with owner-wins every change a follower makes is overwritten (that is owner-to-followers)',
    },
    {
      what: 'an entity the graph does not have',
      matrix: (text: string) => edit(text, '  Payment:\n', '  Payments:\n'),
      place: 'entities.Payments',
      message: 'not an entity of the graph (did you mean Payment? {dir}/supergraph.graphql has: Customer, InventoryItem, Order, Payment, Shipment)',
    },
    {
      what: 'a field its entity does not have',
      matrix: (text: string) => edit(text, '      onHand:', '      inStock:'),
      place: 'entities.InventoryItem.fields.inStock',
      message: 'not a field of InventoryItem in the graph (it has: sku, name, onHand, available, price)',
    },
    {
      what: 'a per-record owner named by a field the entity does not have',
      matrix: (text: string) => edit(text, 'by: carrier }', 'by: courier }'),
      place: 'entities.Shipment.fields.status.owner.by',
      message: 'Shipment has no field "courier" in the graph (did you mean carrier? it has: id, carrier, trackingNumber, status, label, tracking)',
    },
    {
      what: 'a misspelt key deep inside a system',
      map: (text: string) => edit(text, 'perSeconds: 10 }', 'perSecond: 10 }'),
      place: 'systems.crm.rateLimit.perSecond',
      message: 'unknown key (did you mean perSeconds?)',
    },
    {
      what: 'a value outside the list',
      map: (text: string) => edit(text, 'format: xml', 'format: soap'),
      place: 'systems.courier-a.format',
      message: 'expected one of sql, json, json-rpc, form, xml',
    },
    {
      what: 'an auth model that does not exist',
      map: (text: string) => edit(text, 'model: basic', 'model: digest'),
      place: 'systems.courier-a.auth.model',
      message: 'expected one of none, oauth2-client-credentials, oauth2-refresh-token, api-key, basic, mtls',
    },
    {
      what: 'a required key left out',
      map: (text: string) => edit(text, '    credentialsOwner: Finance IT (ERP administrator)\n', ''),
      place: 'systems.erp.credentialsOwner',
      message: 'missing',
    },
  ])('$what', ({ map, matrix, place, message }) => {
    const dir = schemaWith({ map, matrix });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${escapeRegExp(path.join(dir, map ? MAP : MATRIX))}:\\d+: `));
    expect(problems[0]!.replace(/^[^ ]+ /, '')).toBe(`${place}: ${message.replace('{dir}', dir)}`);
  });

  it('a system of the registry that the map leaves out is outside the estate, not a problem', () => {
    const dir = schemaWithout('xero');
    temporary.push(dir);
    const { map, matrix } = loadIntegrationMap(dir);
    expect(Object.keys(map.systems)).not.toContain('xero');
    expect(Object.keys(map.systems)).toContain('legacy');
    expect(matrix.entities['Order']?.fields['number']?.followers).toEqual(['erp']);
    expect(matrix.entities['Order']?.fields['invoice']).toBeUndefined();
  });

  it('a system the map declares but the registry lacks', () => {
    const dir = schemaWith({ map: (text) => text.replace('\n  legacy:\n', '\n  legacy-shop:\n') });
    const problems = problemsOf(dir);
    expect(problems).toContain(
      `${path.join(dir, MAP)}:${lineOf(dir, MAP, 'legacy-shop:')}: systems.legacy-shop: no system "legacy-shop" in the registry (src/systems/index.ts): declare it with defineSystem in src/systems/legacy-shop/ first`,
    );
  });

  it('every problem of both files at once', () => {
    const dir = schemaWith({
      map: (text) => edit(text, 'sandbox: true', 'sandbox: yes please', '\n  erp:\n'),
      matrix: (text) => edit(text, 'followers: [crm, erp]', 'followers: [crm, ERP]'),
    });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain(`${MAP}:${lineOf(dir, MAP, 'sandbox: yes please')}: systems.erp.sandbox: expected true or false, found text`);
    expect(problems[1]).toContain(`${MATRIX}:${lineOf(dir, MATRIX, 'email:')}: entities.Customer.fields.email.followers[1]: unknown system "ERP" (did you mean erp?`);
  });

  it('YAML that does not parse, by line', () => {
    const dir = schemaWith({ map: (text) => edit(text, 'rateLimit: { requests: 100, perSeconds: 10 }', 'rateLimit: { requests: 100, perSeconds: 10') });
    // The parser notices the missing } on the line after it.
    expect(problemsOf(dir)).toEqual([
      `${path.join(dir, MAP)}:${lineOf(dir, MAP, 'rateLimit:', '\n  crm:\n') + 1}: Flow map in block collection must be sufficiently indented and end with a }`,
    ]);
  });

  it('names a file it cannot find', () => {
    const dir = schemaWith({});
    rmSync(path.join(dir, MATRIX));
    expect(problemsOf(dir)).toEqual([`${path.join(dir, MATRIX)}: cannot be read (ENOENT)`]);
  });
});

describe('resolveCredentials', () => {
  const { map } = loadIntegrationMap();

  it('reads each credential from the variable the map names', () => {
    expect(resolveCredentials(map, 'crm', { CRM_CLIENT_ID: 'plugboard', CRM_CLIENT_SECRET: 'hush', CRM_REFRESH_TOKEN: 'again' })).toEqual({
      system: 'crm',
      model: 'oauth2-refresh-token',
      values: { clientId: 'plugboard', clientSecret: 'hush', refreshToken: 'again' },
    });
    expect(resolveCredentials(map, 'store', {}).values).toEqual({});
  });

  it('names every missing variable, and no value', () => {
    const error = captured(() => resolveCredentials(map, 'erp', { ERP_API_KEY: 'erp-key-123', ERP_LOGIN: '' }));
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error.message).toBe(
      'erp: credentials missing:\n- ERP_LOGIN is not set (auth.login)\n- ERP_DB is not set (auth.database)',
    );
    expect(error.message).not.toContain('erp-key-123');
  });

  it('reads the PEM files an mTLS system names, and names one it cannot read', () => {
    // No system of the committed map uses mutual TLS since courier A became Canada Post: courier A as it was.
    const mtls: IntegrationMap = {
      ...map,
      systems: {
        ...map.systems,
        'courier-a': {
          ...map.systems['courier-a']!,
          auth: { model: 'mtls', certFile: { env: 'COURIER_A_CERT_FILE' }, keyFile: { env: 'COURIER_A_KEY_FILE' }, caFile: { env: 'COURIER_A_CA_FILE' } },
        },
      },
    };
    const files: Record<string, string> = { '/pki/client.pem': 'CERT PEM\n', '/pki/client.key': 'KEY PEM\n', '/pki/ca.pem': 'CA PEM\n' };
    const readFile = (file: string): string => {
      const contents = files[file];
      if (contents === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${file}'`), { code: 'ENOENT' });
      return contents;
    };
    const env = { COURIER_A_CERT_FILE: '/pki/client.pem', COURIER_A_KEY_FILE: '/pki/client.key', COURIER_A_CA_FILE: '/pki/ca.pem' };
    expect(resolveCredentials(mtls, 'courier-a', env, readFile).values).toEqual({ cert: 'CERT PEM\n', key: 'KEY PEM\n', ca: 'CA PEM\n' });

    const error = captured(() => resolveCredentials(mtls, 'courier-a', { ...env, COURIER_A_KEY_FILE: '/pki/missing.key' }, readFile));
    expect(error.message).toBe(
      'courier-a: credentials missing:\n- COURIER_A_KEY_FILE names /pki/missing.key, which cannot be read (ENOENT) (auth.keyFile)',
    );
  });

  it('reads a mounted secret file, without its trailing newline', () => {
    const withFile: IntegrationMap = {
      ...map,
      systems: {
        ...map.systems,
        'courier-b': { ...map.systems['courier-b']!, auth: { model: 'api-key', sentIn: 'API-Key header', apiKey: { file: '/run/secrets/courier-b' } } },
      },
    };
    expect(resolveCredentials(withFile, 'courier-b', {}, () => 'cb-key\n').values).toEqual({ apiKey: 'cb-key' });
  });

  it('refuses a system the map does not have', () => {
    expect(() => resolveCredentials(map, 'courier-c', {})).toThrow('courier-c: credentials missing:\n- the integration map has no system "courier-c"');
  });
});

function captured(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
