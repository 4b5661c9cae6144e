import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IntegrationError } from '../../src/domain';
import { createHttpClient, pathOf, type CallSite } from '../../src/systems/kit/adapter';
import { createXmlCodec } from '../../src/xml';

/** Ids never build a request that means something else: refused before anything leaves, with a code that names the system. */

const site: CallSite = { system: 'courier-b', operation: 'cancelShipment' };

function refusal(run: () => unknown): { code: string; system: string; reason: string | undefined } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof IntegrationError)) throw error;
    return { code: error.code, system: error.system, reason: error.reason };
  }
}

describe('pathOf', () => {
  it.each([
    ['a slash', 'a/b', '/v1/shipments/a%2Fb'],
    ['a query', '?x=1', '/v1/shipments/%3Fx%3D1'],
    ['a fragment', '#frag', '/v1/shipments/%23frag'],
    ['encoded dots', '%2e%2e', '/v1/shipments/%252e%252e'],
    ['CRLF', 'a\r\nX: y', '/v1/shipments/a%0D%0AX%3A%20y'],
    ['NUL', 'a\u0000', '/v1/shipments/a%00'],
    ['a fullwidth solidus', 'a\uFF0Fb', '/v1/shipments/a%EF%BC%8Fb'],
    ['one-dot leaders', '\u2024\u2024/', '/v1/shipments/%E2%80%A4%E2%80%A4%2F'],
  ])('keeps %s inside its segment', (_what, id, path) => {
    expect(pathOf(site, 'v1', 'shipments', id)).toBe(path);
  });

  it.each([
    ['..', 'the path segment ".."'],
    ['.', 'the path segment "."'],
    ['', 'an empty path segment'],
    ['a\uD800', 'text that is not well-formed Unicode'],
  ])('refuses %j, naming the system, before anything is sent', (id, why) => {
    expect(refusal(() => pathOf(site, 'v1', 'shipments', id))).toEqual({
      code: 'UPSTREAM_REJECTED',
      system: 'courier-b',
      reason: expect.stringContaining(why),
    });
  });
});

describe('the HTTP client', () => {
  // Nothing listens on port 9: a request that left would fail as UPSTREAM_UNAVAILABLE, not be refused.
  const http = createHttpClient({ system: 'courier-b', baseUrl: 'http://127.0.0.1:9' });
  afterAll(() => http.close());

  it.each([
    ['a dot segment', '/v1/shipments/../_sandbox/faults'],
    ['an encoded dot segment', '/v1/shipments/%2E%2e/x'],
    ['raw CRLF', '/v1/shipments/a\r\nX-Injected: 1'],
    ['a raw fragment', '/v1/shipments/a#b'],
    ['raw non-ASCII', '/v1/shipments/a\uFF0Fb'],
    ['a stray %', '/v1/shipments/100%'],
  ])('refuses a hand-built path with %s without sending it', async (_what, path) => {
    await expect(http.request({ operation: 'cancelShipment', method: 'GET', path })).rejects.toMatchObject({
      code: 'UPSTREAM_REJECTED',
      system: 'courier-b',
      reason: expect.stringMatching(/^request path refused, not sent/),
    });
  });

  it('sends a path that pathOf built (and fails only because nothing listens)', async () => {
    await expect(http.request({ operation: 'cancelShipment', method: 'GET', path: pathOf(site, 'v1', 'shipments', '../x') })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });
});

describe('the HTTP client with a response cap', () => {
  // A system that announces, or sends, more than the cap: refused, the rest unread, and nothing escapes to the
  // process from the body let go half-read.
  const body = 'x'.repeat(64 * 1024);
  let server: Server;
  let origin = '';
  beforeAll(async () => {
    server = createServer((request, response) => {
      // The answer is still coming when the client lets go of it: half sent, the rest never.
      if (request.url === '/declared') response.writeHead(200, { 'content-length': String(2 * body.length) });
      else response.writeHead(200, { 'transfer-encoding': 'chunked' });
      response.write(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));

  it.each([
    ['declares', '/declared', /answer of 131072 bytes is over the 4096-byte cap/],
    ['streams', '/streamed', /answer is over the 4096-byte cap/],
  ])('refuses an answer that %s more than the cap, and nothing escapes to the process', async (_what, path, reason) => {
    const http = createHttpClient({ system: 'crm', baseUrl: origin, maxResponseBytes: 4096 });
    const escaped: unknown[] = [];
    const onEscape = (error: unknown): void => void escaped.push(error);
    process.on('uncaughtException', onEscape);
    try {
      await expect(http.request({ operation: 'findByIds', method: 'GET', path })).rejects.toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', reason: expect.stringMatching(reason) });
      // The destroyed body reports its abort on a later turn: wait for the connection to be let go.
      await http.close();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('uncaughtException', onEscape);
    }
    expect(escaped).toEqual([]);
  });
});

describe('the HTTP client reading an answer', () => {
  // An answer sent in pieces (a character split across two of them), and one that never finishes.
  let server: Server;
  let origin = '';
  let heard: () => void = () => undefined;
  beforeAll(async () => {
    server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'transfer-encoding': 'chunked' });
      const euro = Buffer.from('€', 'utf8');
      if (request.url === '/pieces') {
        response.write(Buffer.concat([Buffer.from('a'.repeat(1000)), euro.subarray(0, 1)]));
        setImmediate(() => response.end(Buffer.concat([euro.subarray(1), Buffer.from('z')])));
      } else {
        response.write('half');
        heard();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));

  it('collects an answer sent in pieces whole, a character split between them read once', async () => {
    const http = createHttpClient({ system: 'crm', baseUrl: origin });
    try {
      const answer = await http.request({ operation: 'findByIds', method: 'GET', path: '/pieces' });
      expect(answer).toMatchObject({ status: 200, text: `${'a'.repeat(1000)}€z` });
      expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
    } finally {
      await http.close();
    }
  });

  it("gives up with UPSTREAM_TIMEOUT when the caller's signal aborts while the answer is coming", async () => {
    const http = createHttpClient({ system: 'crm', baseUrl: origin });
    const controller = new AbortController();
    const started = new Promise<void>((resolve) => { heard = resolve; });
    try {
      const pending = http.request({ operation: 'findByIds', method: 'GET', path: '/never-ends', signal: controller.signal });
      await started;
      controller.abort(new Error('deadline'));
      await expect(pending).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT', system: 'crm', reason: 'no answer in time' });
    } finally {
      await http.close();
    }
  });

  it('refuses at once a call whose signal has already aborted, sending nothing', async () => {
    const http = createHttpClient({ system: 'crm', baseUrl: 'http://127.0.0.1:9' });
    try {
      await expect(http.request({ operation: 'findByIds', method: 'GET', path: '/x', signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    } finally {
      await http.close();
    }
  });
});

describe('the XML codec', () => {
  const codec = createXmlCodec({ repeated: ['TrackRequest.Reference'] });

  it('escapes markup in values and reads it back as text', () => {
    const text = codec.build({ TrackRequest: { Reference: ['</Reference><Evil/>&amp;'] } });
    expect(text).not.toContain('<Evil/>');
    expect(codec.parse(text)).toEqual({ ok: true, document: { TrackRequest: { Reference: ['</Reference><Evil/>&amp;'] } } });
  });

  it.each([['NUL', 'a\u0000'], ['a control character', 'a\u001Bb'], ['a lone surrogate', 'a\uDC00']])('refuses to write %s, which XML cannot carry', (_what, value) => {
    expect(() => codec.build({ TrackRequest: { Reference: [value] } })).toThrow(RangeError);
  });

  it.each([
    ['an external entity', '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'],
    ['an entity bomb', '<!DOCTYPE a [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;">]><a>&l2;</a>'],
    ['a lower-case doctype', '<!doctype a><a/>'],
    ['a bare entity declaration', '<a><!ENTITY x "y"></a>'],
  ])('refuses a document with %s, unexpanded', (_what, text) => {
    expect(codec.parse(text)).toEqual({ ok: false, code: 'DTD_NOT_ALLOWED', message: expect.stringContaining('DOCTYPE or ENTITY') });
  });

  it('refuses nesting deeper than its cap', () => {
    const deep = `${'<a>'.repeat(40)}x${'</a>'.repeat(40)}`;
    expect(codec.parse(deep)).toMatchObject({ ok: false, code: 'MALFORMED_XML' });
  });

  it('reads a repeated element as an array at its listed path only, even when one came', () => {
    const lists = createXmlCodec({ attributes: true, repeated: ['shipments.shipment-info', 'shipments.shipment-info.links.link'] });
    const text = '<shipments xmlns="x"><shipment-info><links><link rel="self"/></links></shipment-info><link rel="next"/><info><shipment-info>1</shipment-info></info></shipments>';
    expect(lists.parse(text)).toEqual({
      ok: true,
      document: {
        shipments: {
          '@_xmlns': 'x',
          'shipment-info': [{ links: { link: [{ '@_rel': 'self' }] } }],
          link: { '@_rel': 'next' },
          info: { 'shipment-info': '1' },
        },
      },
    });
  });

  it('keeps comments and CDATA readable', () => {
    expect(codec.parse('<a><!-- note --><![CDATA[<b>]]></a>')).toMatchObject({ ok: true });
  });
});
