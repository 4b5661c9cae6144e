import { Agent, request } from 'undici';
import { createCourierAAdapter, type CourierAAdapter, type CourierAAdapterOptions } from './adapter';
import type { TestPki } from '../../pki';
import { COURIER_A_SANDBOX_CREDENTIALS, createCourierASandbox, SPEC_VIOLATIONS, type CourierASandboxDefinition, type ShipmentRecord, type SpecViolation } from './sandbox';
import { courierASystem } from './index';
import { SHIPMENT_MEDIA_TYPE } from './canada-post/documents';
import { groupIdOf } from './canada-post/ids';
import { RecordStore, startSandbox } from '../kit/sandbox';
import { generateEstate, type EstateSeed } from '../kit/seed';

/**
 * Courier A's sandbox for its tests (adapter.test.ts, ledger.test.ts): the estate as it names its shipments, the
 * sandbox started with its records at hand, and the adapter pointed at it over the test PKI. Not used at run time.
 */

export const generated = generateEstate();
/** The estate as courier A names its shipments: Canada Post keeps an order's parcels in a group made from its id. */
export const estate: EstateSeed = {
  ...generated,
  shipments: generated.shipments.map((shipment) => (shipment.carrier === 'courier-a' ? { ...shipment, id: `courier-a:${groupIdOf(shipment.orderId)}` } : shipment)),
};
const { username, password, account } = COURIER_A_SANDBOX_CREDENTIALS;

/** Courier A's sandbox with its records at hand, a client for raw requests, and what it holds by group. */
export async function startCourierA(pki: TestPki, options: { readonly tuning?: Record<string, unknown> } = {}) {
  const records = new RecordStore();
  // With `tuning`, the sandbox is made as the estate makes it (the system's own `sandbox.create`), given that tuning.
  const definition = options.tuning
    ? (courierASystem.sandbox!.create({ estate, pki, ports: 'ephemeral', tuning: options.tuning }).definition as CourierASandboxDefinition)
    : createCourierASandbox(estate, { pki });
  const sandbox = await startSandbox(definition, { records });
  const agent = new Agent({ connect: { ca: pki.ca, rejectUnauthorized: true } });
  const send = async (method: 'GET' | 'POST' | 'DELETE', path: string, options: { body?: string; headers?: Record<string, string> } = {}) => {
    const response = await request(`${sandbox.url}${path}`, { method, dispatcher: agent, headers: options.headers, body: options.body });
    return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
  };
  const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const shipments = records.collection<ShipmentRecord>('shipments');
  const inGroup = (groupId: string): ShipmentRecord[] =>
    (records.collection<string[]>('shipments-by-group').get(groupId) ?? [])
      .map((id) => shipments.get(id)!)
      .sort((a, b) => (a.customerRequestId ?? '').localeCompare(b.customerRequestId ?? '', 'en', { numeric: true }));
  return {
    sandbox,
    records,
    shipments,
    inGroup,
    send,
    /** A request as Canada Post's clients send it: HTTP Basic and the service's media type. */
    canadaPost: (method: 'GET' | 'POST' | 'DELETE', path: string, body?: string, headers: Record<string, string> = {}) =>
      send(method, path, { ...(body === undefined ? {} : { body }), headers: { authorization: basic, accept: SHIPMENT_MEDIA_TYPE, ...(body === undefined ? {} : { 'content-type': SHIPMENT_MEDIA_TYPE }), ...headers } }),
    /** What the sandbox found outside Canada Post's schema, once every answer sent so far is checked. */
    violations: async (): Promise<SpecViolation[]> => {
      await definition.schemaChecks.settled();
      return [...records.collection<SpecViolation>(SPEC_VIOLATIONS).values()];
    },
    clearViolations: () => records.collection<SpecViolation>(SPEC_VIOLATIONS).clear(),
    calls: (...operations: string[]) => {
      const { byOperation } = sandbox.stats.snapshot();
      return operations.reduce((sum, operation) => sum + (byOperation[operation] ?? 0), 0);
    },
    async close() {
      await definition.schemaChecks.settled();
      await agent.close();
      await sandbox.close();
    },
  };
}

/** Canada Post's read operations, as the sandbox counts them. */
export const READ_OPERATIONS = ['getShipments', 'getShipment', 'getShipmentDetails', 'getTrackingSummary'];

export function adapterFor(a: Awaited<ReturnType<typeof startCourierA>>, pki: TestPki, options: Partial<CourierAAdapterOptions> = {}): CourierAAdapter {
  return createCourierAAdapter({ baseUrl: a.sandbox.url, username, password, account, tls: { ca: pki.ca }, ...options });
}
