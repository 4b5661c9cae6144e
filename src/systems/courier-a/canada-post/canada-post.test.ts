import type { ShipmentRequest } from '../../../domain';
import { createXmlCodec, createXsdValidator } from '../../../xml';
import {
  createShipmentDocuments,
  referenceOfKey,
  shipmentInfoSchema,
  shipmentsPath,
  toShipmentInfo,
  UnbookableShipment,
  type CanadaPostAccount,
} from './documents';
import { groupIdOf, orderIdOfGroup } from './ids';
import { COURIER_A_SANDBOX_CREDENTIALS } from '../sandbox';
import { createCanadaPostValidator } from './schema';

/**
 * Courier A's Canada Post documents held to Canada Post's published schema (trimmed copy beside this file), by
 * libxml2's validator: what we would send is what Canada Post accepts, and an answer off its schema goes red.
 */

const validator = createCanadaPostValidator();
const codec = createXmlCodec({ attributes: true, repeated: ['shipment-info.links.link'] });

// The sandbox's account, with the sender's postal code as a person types it (the documents normalise it).
const sandboxAccount = COURIER_A_SANDBOX_CREDENTIALS.account;
const account: CanadaPostAccount = {
  ...sandboxAccount,
  sender: { ...sandboxAccount.sender, address: { ...sandboxAccount.sender.address, postalCode: 'k1a 0b1' } },
};

const request: ShipmentRequest = {
  orderId: 'ord-000042',
  recipient: { name: 'Zoë & "Bart" <O\'Neil>', phone: '+31 20 555 0199' },
  parcels: 2,
  idempotencyKey: 'place-order-ord-000042-courier-a',
  shipTo: {
    name: 'Zoë & "Bart" <O\'Neil>',
    phone: '+31 20 555 0199',
    line1: 'Prinsengracht 263',
    city: 'Amsterdam',
    region: 'NH',
    postalCode: '1016 GV',
    countryCode: 'NL',
  },
  packages: [
    { weight: { value: 1250, unit: 'GRAM' }, dimensions: null },
    { weight: { value: 2.2, unit: 'POUND' }, dimensions: { length: 12, width: 8.05, height: 4, unit: 'INCH' } },
  ],
};

const mailed = new Date('2026-12-07T09:30:00Z');

const shipmentInfo = (fields: { id?: string; pin?: string; status?: string; index?: string } = {}) =>
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<shipment-info xmlns="http://www.canadapost.ca/ws/shipment-v8">' +
  `<shipment-id>${fields.id ?? '347881315405503331'}</shipment-id>` +
  `<shipment-status>${fields.status ?? 'created'}</shipment-status>` +
  `<tracking-pin>${fields.pin ?? '123456789012'}</tracking-pin>` +
  '<links>' +
  '<link rel="self" href="https://ct.soa-gw.canadapost.ca/rs/2004381/2004381/shipment/347881315405503331" media-type="application/vnd.cpc.shipment-v8+xml"/>' +
  `<link rel="label" href="https://ct.soa-gw.canadapost.ca/ers/artifact/6e93d53968881714/10238/0" index="${fields.index ?? '0'}" media-type="application/pdf"/>` +
  '</links></shipment-info>';

describe('Canada Post Create Shipment, as courier A writes it', () => {
  const documents = createShipmentDocuments(request, account, mailed);
  const texts = documents.map((document) => codec.build(document));

  it('is one shipment per parcel, each accepted by Canada Post\'s schema', async () => {
    expect(texts).toHaveLength(2);
    expect(await validator.problemsOfEach(texts)).toEqual([[], []]);
  });

  it('groups the parcels under the order, each with its own request id, weighed in kg and sized in cm', () => {
    const [first, second] = texts.map((text) => codec.parse(text));
    expect(first).toMatchObject({
      ok: true,
      document: {
        shipment: {
          'group-id': groupIdOf('ord-000042'),
          'customer-request-id': `${groupIdOf('ord-000042')}-1`,
          'expected-mailing-date': '2026-12-07',
          'delivery-spec': {
            sender: { 'address-details': { 'postal-zip-code': 'K1A0B1', 'country-code': 'CA' } },
            destination: { name: request.shipTo!.name, 'address-details': { 'postal-zip-code': '1016 GV' } },
            'parcel-characteristics': { weight: '1.250' },
            references: { 'customer-ref-1': 'ord-000042', 'customer-ref-2': 'place-order-ord-000042-courier-a' },
            'settlement-info': { 'contract-id': '42708517', 'intended-method-of-payment': 'Account' },
          },
        },
      },
    });
    expect(second).toMatchObject({
      ok: true,
      document: {
        shipment: {
          'customer-request-id': `${groupIdOf('ord-000042')}-2`,
          'delivery-spec': { 'parcel-characteristics': { weight: '0.998', dimensions: { length: '30.5', width: '20.5', height: '10.2' } } },
        },
      },
    });
  });

  it('names the group after the order with a check tag that tells our ids from any other, within 32 characters', () => {
    const group = groupIdOf('ord-000042')!;
    expect(group).toMatch(/^ord-000042\.[0-9a-f]{8}$/);
    expect(orderIdOfGroup(group)).toBe('ord-000042');
    expect(orderIdOfGroup('ord-000042.00000000')).toBeNull();
    expect(orderIdOfGroup('CA000123')).toBeNull();
    expect(groupIdOf('o'.repeat(23))).toHaveLength(32);
    expect(groupIdOf('o'.repeat(24))).toBeNull();
  });

  it('keeps the idempotency key as a reference within Canada Post\'s 35 characters, the same for the same key', () => {
    const long = `order-${'x'.repeat(60)}`;
    expect(referenceOfKey(long)).toHaveLength(35);
    expect(referenceOfKey(long)).toBe(referenceOfKey(long));
    expect(referenceOfKey(long)).not.toBe(referenceOfKey(`${long}y`));
    expect(referenceOfKey('short')).toBe('short');
  });

  it('is written under the mailed-by and mailed-on-behalf-of customer numbers', () => {
    expect(shipmentsPath(account)).toBe('/rs/2004381/2004381/shipment');
    expect(shipmentsPath({ ...account, mobo: '0009876543' })).toBe('/rs/2004381/0009876543/shipment');
  });

  it('is not written without an address, without parcels, or with weights that do not match the parcels', () => {
    expect(() => createShipmentDocuments({ ...request, shipTo: null }, account, mailed)).toThrow(UnbookableShipment);
    expect(() => createShipmentDocuments({ ...request, parcels: 0, packages: [] }, account, mailed)).toThrow(/at least one parcel/);
    expect(() => createShipmentDocuments({ ...request, parcels: 3 }, account, mailed)).toThrow(/says 3 parcels and weighs 2/);
    const weightless = { ...request, parcels: 1, packages: [{ weight: { value: 0, unit: 'GRAM' as const }, dimensions: null }] };
    expect(() => createShipmentDocuments(weightless, account, mailed)).toThrow(/0 kg/);
  });
});

describe('requests Canada Post would refuse are refused by its schema', () => {
  const valid = codec.build(createShipmentDocuments({ ...request, parcels: 1, packages: [request.packages![0]!] }, account, mailed)[0]!);
  const refusals: readonly [string, (text: string) => string, RegExp][] = [
    ['a weight that is not a number', (text) => text.replace('<weight>1.250</weight>', '<weight>heavy</weight>'), /weight/],
    ['a sender without a phone', (text) => text.replace(/<contact-phone>[^<]*<\/contact-phone>/, ''), /contact-phone/],
    ['both a group and transmit-shipment', (text) => text.replace('<group-id>', '<transmit-shipment>true</transmit-shipment><group-id>'), /transmit-shipment|group-id/],
    ['a contract id with letters', (text) => text.replace('<contract-id>42708517</contract-id>', '<contract-id>C42708517</contract-id>'), /contract-id/],
    ['a Canadian postal code with a space', (text) => text.replace('<expected-mailing-date>', '<requested-shipping-point>K1A 0B1</requested-shipping-point><expected-mailing-date>'), /requested-shipping-point/],
    ['an element Canada Post does not know', (text) => text.replace('<preferences>', '<idempotency-key>k</idempotency-key><preferences>'), /idempotency-key/],
  ];
  let problems: readonly (readonly string[])[];
  beforeAll(async () => {
    // One validator run for all of them: each run starts xmllint afresh.
    problems = await validator.problemsOfEach([valid, ...refusals.map(([, corrupt]) => corrupt(valid))]);
  });

  it('accepts the request they are made from', () => {
    expect(problems[0]).toEqual([]);
  });

  it.each(refusals.map(([what, , names], index) => [what, index + 1, names] as const))('%s', (_what, index, names) => {
    expect(problems[index]!.length).toBeGreaterThan(0);
    expect(problems[index]!.join('\n')).toMatch(names);
  });
});

describe('Canada Post answers, held to its schema', () => {
  it('reads a shipment-info as Canada Post documents it: ids, status, tracking PIN and label link', async () => {
    expect(await validator.problemsOf(shipmentInfo())).toEqual([]);
    const parsed = codec.parse(shipmentInfo());
    if (!parsed.ok) throw new Error(parsed.message);
    const info = toShipmentInfo(shipmentInfoSchema.parse(parsed.document['shipment-info']));
    expect(info).toEqual({
      shipmentId: '347881315405503331',
      customerRequestId: null,
      status: 'created',
      trackingPin: '123456789012',
      selfUrl: 'https://ct.soa-gw.canadapost.ca/rs/2004381/2004381/shipment/347881315405503331',
      detailsUrl: null,
      labelUrl: 'https://ct.soa-gw.canadapost.ca/ers/artifact/6e93d53968881714/10238/0',
    });
  });

  it('goes red when a field of an answer changes type: a PIN too short, an index that is no number, an id too long', async () => {
    const [pin, index, id] = await validator.problemsOfEach([
      shipmentInfo({ pin: '12345' }),
      shipmentInfo({ index: 'first' }),
      shipmentInfo({ id: '9'.repeat(33) }),
    ]);
    expect(pin!.join('\n')).toMatch(/tracking-pin/);
    expect(index!.join('\n')).toMatch(/index/);
    expect(id!.join('\n')).toMatch(/shipment-id/);
  });

  it('accepts Canada Post\'s error messages, and refuses one without its description', async () => {
    const messages = (body: string) => `<messages xmlns="http://www.canadapost.ca/ws/messages"><message>${body}</message></messages>`;
    const [complete, bare] = await validator.problemsOfEach([
      messages('<code>8562</code><description>Contract Number is a required field.</description>'),
      messages('<code>8562</code>'),
    ]);
    expect(complete).toEqual([]);
    expect(bare!.join('\n')).toMatch(/description/);
  });

  it('reports a document that is not XML at all as a problem, with its line, and only against that document', async () => {
    const [broken, fine] = await validator.problemsOfEach(['<shipment-info><shipment-id>1</shipment-info>', shipmentInfo()]);
    expect(broken).toEqual([expect.stringMatching(/^line 1: .*mismatch/)]);
    expect(fine).toEqual([]);
  });
});

describe('the XSD validator', () => {
  it('refuses to answer for a schema it cannot compile, rather than call a document valid', async () => {
    const broken = createXsdValidator({
      schema: { fileName: 'broken.xsd', contents: '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"><xsd:element name="a" type="Nope"/></xsd:schema>' },
    });
    await expect(broken.problemsOf('<a/>')).rejects.toThrow(/broken\.xsd could not be used/);
  });
});
