import { REDACTED, redact as redactGeneric, redactText as redactTextGeneric, type RedactOptions } from '../../src/audit';
import { REDACTION_RULES } from '../../src/systems';

// As the integration log redacts: the generic shapes and every system's own rules (its wire format's secrets).
const redact = (value: unknown, options: RedactOptions = {}) => redactGeneric(value, { rules: REDACTION_RULES, ...options });
const redactText = (text: string, options: RedactOptions = {}) => redactTextGeneric(text, { rules: REDACTION_RULES, ...options });

/** Secrets as they turn up in calls to the estate's systems. None may survive redaction. */
const SECRETS = {
  stripeKey: 'sk_test_51PlantedStripeSecretKey4242424242',
  stripeLive: 'rk_live_51PlantedRestrictedKeyAbCdEf',
  webhookSecret: 'whsec_PlantedWebhookSigningSecret0123',
  clientSecretOfIntent: 'pi_3PlantedIntent_secret_PlantedClientSecret',
  bearer: 'ya29PlantedOpaqueAccessToken0123456789abcdef',
  jwt:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJwbGFudGVkLXVzZXIiLCJzY29wZSI6Im9yZGVyczp3cml0ZSJ9.' +
    'c2lnbmF0dXJlLW9mLWEtcGxhbnRlZC10b2tlbi0wMTIz',
  password: 'Planted-P4ssw0rd!',
  apiKey: 'TEST_PlantedCourierApiKey_9f8e7d',
  clientSecret: 'planted-oauth-client-secret-5566',
  erpKey: 'planted-erp-api-key-0042',
  basic: Buffer.from('legacy-user:Planted-Legacy-Pass').toString('base64'),
  card: '4242 4242 4242 4242',
  cookie: 'session=planted-session-cookie-value',
} as const;

function expectNoSecret(text: string): void {
  for (const [name, secret] of Object.entries(SECRETS)) {
    if (text.includes(secret)) throw new Error(`the ${name} survived redaction: ${text}`);
  }
}

describe('redact', () => {
  it('removes every planted secret from nested objects, keeping what is not secret', () => {
    const payload = {
      request: {
        method: 'POST',
        url: `https://crm.example.test/oauth/token?client_id=plugboard&client_secret=${SECRETS.clientSecret}`,
        headers: {
          Authorization: `Bearer ${SECRETS.bearer}`,
          'API-Key': SECRETS.apiKey,
          'Stripe-Signature': `t=1700000000,v1=${SECRETS.webhookSecret}`,
          Cookie: SECRETS.cookie,
          'content-type': 'application/json',
        },
        body: {
          customer: { email: 'ada@example.com', password: SECRETS.password },
          params: { service: 'object', method: 'execute_kw', args: ['plugboard', 2, SECRETS.erpKey, 'res.partner', 'read'] },
          note: `retry with ${SECRETS.stripeKey} or ${SECRETS.stripeLive}`,
        },
      },
      response: {
        status: 402,
        error: { message: `No such payment_intent; client_secret ${SECRETS.clientSecretOfIntent}` },
        echo: [{ token: SECRETS.jwt }, `Authorization: Basic ${SECRETS.basic}`, { apiKey: SECRETS.apiKey }],
        payment_method: { card: { number: SECRETS.card, brand: 'visa' } },
        forwardedTo: `https://legacy-user:${SECRETS.password}@legacy.example.test/api`,
        trace: `x-session ${SECRETS.jwt}`,
      },
    };
    const result = redact(payload);
    const text = JSON.stringify(result);
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect({ name, survived: text.includes(secret) }).toEqual({ name, survived: false });
    }
    expect(result).toMatchObject({
      request: {
        method: 'POST',
        url: `https://crm.example.test/oauth/token?client_id=plugboard&client_secret=${REDACTED}`,
        headers: { Authorization: REDACTED, 'API-Key': REDACTED, 'Stripe-Signature': REDACTED, 'content-type': 'application/json' },
        body: {
          customer: { email: 'ada@example.com', password: REDACTED },
          params: { args: ['plugboard', 2, REDACTED, 'res.partner', 'read'] },
          note: `retry with ${REDACTED} or ${REDACTED}`,
        },
      },
      response: { status: 402, payment_method: { card: REDACTED } },
    });
    // The original is left as it was.
    expect(payload.request.headers.Authorization).toBe(`Bearer ${SECRETS.bearer}`);
  });

  it('removes every planted secret from raw bodies: form, headers, XML, JSON and JSON cut short', () => {
    const form = `grant_type=client_credentials&client_id=plugboard&client_secret=${SECRETS.clientSecret}&password=${SECRETS.password}`;
    const headers = [
      'POST /v1/payment_intents HTTP/1.1',
      `Authorization: Bearer ${SECRETS.stripeKey}`,
      `API-Key: ${SECRETS.apiKey}`,
      `Set-Cookie: ${SECRETS.cookie}; HttpOnly`,
      'Idempotency-Key: order-1001-capture',
    ].join('\r\n');
    const xml =
      `<?xml version="1.0"?><TrackRequest><Auth user="plugboard" password="${SECRETS.password}"/>` +
      `<ApiKey>${SECRETS.apiKey}</ApiKey><ns:ClientSecret>${SECRETS.clientSecret}</ns:ClientSecret>` +
      `<Consignment>CN-00042</Consignment></TrackRequest>`;
    const json = JSON.stringify({
      jsonrpc: '2.0',
      params: { service: 'common', method: 'authenticate', args: ['db', 'plugboard', SECRETS.erpKey] },
      headers: { authorization: `Bearer ${SECRETS.jwt}` },
      card_number: SECRETS.card,
      user: { passwordHash: SECRETS.password, name: 'Ada' },
    });
    const cutShort = `{"client_secret": "${SECRETS.clientSecret}", "access_token": "${SECRETS.bearer}", "cvc": 314, "expires_in": 36`;

    const redactedForm = redactText(form);
    expect(redactedForm).toBe(
      `grant_type=client_credentials&client_id=plugboard&client_secret=${REDACTED}&password=${REDACTED}`,
    );
    const redactedHeaders = redactText(headers);
    expect(redactedHeaders).toContain('Idempotency-Key: order-1001-capture');
    expect(redactedHeaders).toContain(`API-Key: ${REDACTED}`);
    const redactedXml = redactText(xml);
    expect(redactedXml).toContain('<Consignment>CN-00042</Consignment>');
    expect(redactedXml).toContain(`<ApiKey>${REDACTED}</ApiKey>`);
    const redactedJson = redactText(json);
    expect(JSON.parse(redactedJson)).toMatchObject({ card_number: REDACTED, user: { passwordHash: REDACTED, name: 'Ada' } });
    const redactedCut = redactText(cutShort);
    expect(redactedCut).toContain('"expires_in": 36');

    for (const text of [redactedForm, redactedHeaders, redactedXml, redactedJson, redactedCut]) expectNoSecret(text);
    expect(redactText(`a card 4242-4242-4242-4242 and an order number 4242424242424241`)).toBe(
      `a card ${REDACTED} and an order number 4242424242424241`,
    );
  });

  it('leaves readable prose alone', () => {
    const reasons = [
      'the access token expired and was renewed',
      'expected a bearer token, got none',
      'basic auth is refused by this endpoint',
      'StatusCode is missing in <TrackResponse>',
    ];
    for (const reason of reasons) expect(redactText(reason)).toBe(reason);
  });

  it('keeps null secrets as null, and cuts long strings, long arrays, deep nesting and cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { bottom: true };
    for (let level = 0; level < 12; level += 1) deep = { level: deep };

    const result = redact(
      {
        password: null,
        long: 'x'.repeat(5_000),
        many: Array.from({ length: 150 }, (_, index) => index),
        cyclic,
        deep,
        at: new Date('2026-01-02T03:04:05Z'),
        bytes: Buffer.from('binary'),
        link: new URL(`https://crm.example.test/contacts?api_key=${SECRETS.apiKey}`),
        failure: new Error(`refused Authorization: Bearer ${SECRETS.bearer}`),
      },
      { maxStringLength: 100, maxArrayLength: 10, maxDepth: 6 },
    ) as Record<string, unknown>;

    expect(result.password).toBeNull();
    expect(result.long).toBe(`${'x'.repeat(100)}…[cut, 5000 characters in all]`);
    expect(result.many).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, '[140 more items]']);
    expect(result.cyclic).toEqual({ name: 'loop', self: '[Circular]' });
    expect(JSON.stringify(result.deep)).toContain('[MaxDepth]');
    expect(result.at).toBe('2026-01-02T03:04:05.000Z');
    expect(result.bytes).toBe('[binary 6 bytes]');
    expect(result.link).toBe(`https://crm.example.test/contacts?api_key=${REDACTED}`);
    expect(result.failure).toEqual({ name: 'Error', message: `refused Authorization: Bearer ${REDACTED}` });
  });

  it('finds the secrets of a vendor by the rules its system declares, not by shapes of its own', () => {
    const note = `retry with ${SECRETS.stripeKey}`;
    const call = { service: 'object', method: 'execute_kw', args: ['plugboard', 2, SECRETS.erpKey, 'res.partner', 'read'] };
    // Without the systems' rules, the redactor knows neither the payment gateway's key prefixes nor the ERP's positional key.
    expect(redactTextGeneric(note)).toBe(note);
    expect(redactGeneric(call)).toEqual(call);
    expect(REDACTION_RULES.length).toBeGreaterThanOrEqual(2);
    expect(redactText(note)).toBe(`retry with ${REDACTED}`);
    expect(redact(call)).toEqual({ ...call, args: ['plugboard', 2, REDACTED, 'res.partner', 'read'] });
    // A rule's pattern written without the g flag still replaces every match.
    const once = [{ patterns: [/\bkey_[a-z]+/] }];
    expect(redactTextGeneric('key_one and key_two', { rules: once })).toBe(`${REDACTED} and ${REDACTED}`);
  });

  it('finds a secret that crosses the cut of a long string', () => {
    const text = `${'a'.repeat(1_990)} Bearer ${SECRETS.bearer} ${'b'.repeat(3_000)}`;
    const cut = redactText(text);
    expect(cut.length).toBeLessThan(2_100);
    expectNoSecret(cut);
    expect(cut).not.toContain(SECRETS.bearer.slice(0, 4));
  });
});
