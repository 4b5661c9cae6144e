import type { CourierBAdapterOptions } from './adapter';
import { authenticationCheck, reachableCheck, sampleReads, type DoctorCheck, type ProbeAnswer, type SystemDoctor } from '../kit/doctor';

/** The adapter's defaults, when the connection names no carrier or service (see ./adapter). */
const DEFAULT_CARRIER_ID = 'se-100001';
const DEFAULT_SERVICE_CODE = 'courier_b_standard';

interface ShipmentRow {
  readonly carrier_id?: string;
  readonly service_code?: string;
}

/**
 * Courier B's readiness (ShipEngine): the API key on a page of shipments, and the carrier and service ids the adapter
 * books with. ShipEngine lists the account's carriers and their services at `GET /v1/carriers`
 * (https://www.shipengine.com/docs/reference/list-carriers/); where that answers nothing usable (the sandbox does not
 * serve it), the ids are held against the account's recent shipments.
 */
export const courierBDoctor: SystemDoctor<CourierBAdapterOptions> = {
  async probe(context) {
    const headers = { 'api-key': context.connection.apiKey };
    const { last, latenciesMs } = await sampleReads(context, 'shipments.list', { path: '/v1/shipments?page_size=25', headers });
    const checks: DoctorCheck[] = [reachableCheck(last, 'GET /v1/shipments'), authenticationCheck(last, 'the API key', 'set COURIER_B_API_KEY to a key of this account')];
    if (last.status === 401 || last.status === 403) return { checks, latenciesMs };
    const carrierId = context.connection.carrierId ?? DEFAULT_CARRIER_ID;
    const serviceCode = context.connection.serviceCode ?? DEFAULT_SERVICE_CODE;
    const carriers = await context.request('carriers.list', { path: '/v1/carriers', headers });
    checks.push(...(carriersOf(carriers) ? carrierChecks(carriersOf(carriers)!, carrierId, serviceCode) : shipmentChecks(last, carrierId, serviceCode)));
    return { checks, latenciesMs, apiVersion: 'v1' };
  },
};

type Carriers = readonly { readonly carrier_id: string; readonly services: readonly { readonly service_code: string }[] }[];

function carriersOf(answer: ProbeAnswer): Carriers | undefined {
  const carriers = (answer.body as { carriers?: unknown } | null)?.carriers;
  return answer.status === 200 && Array.isArray(carriers) ? (carriers as Carriers) : undefined;
}

function carrierChecks(carriers: Carriers, carrierId: string, serviceCode: string): DoctorCheck[] {
  const carrier = carriers.find((one) => one.carrier_id === carrierId);
  if (!carrier) {
    const known = carriers.map((one) => one.carrier_id).join(', ') || 'none';
    return [{ name: 'carrier id', status: 'fail', detail: `carrier ${carrierId} is not connected to this account (it has: ${known})`, action: 'connect the carrier in ShipEngine, or set COURIER_B_CARRIER_ID to one of its carrier ids' }];
  }
  const services = (carrier.services ?? []).map((service) => service.service_code);
  return [
    { name: 'carrier id', status: 'ok', detail: `carrier ${carrierId} is connected` },
    services.includes(serviceCode) ?
      { name: 'service code', status: 'ok', detail: `service ${serviceCode} is offered by ${carrierId}` }
    : { name: 'service code', status: 'fail', detail: `service ${serviceCode} is not offered by ${carrierId} (it offers: ${services.join(', ') || 'none'})`, action: 'set COURIER_B_SERVICE_CODE to one of those service codes' },
  ];
}

function shipmentChecks(page: ProbeAnswer, carrierId: string, serviceCode: string): DoctorCheck[] {
  const rows = ((page.body as { shipments?: unknown } | null)?.shipments ?? []) as readonly ShipmentRow[];
  if (!Array.isArray(rows) || rows.length === 0) {
    return [{ name: 'carrier id', status: 'warn', detail: `carrier ${carrierId} and service ${serviceCode} could not be checked: GET /v1/carriers answered nothing usable and the account has no shipment yet`, action: 'check them in ShipEngine\'s dashboard (Carriers)' }];
  }
  const carriers = new Set(rows.map((row) => row.carrier_id).filter(Boolean));
  const services = new Set(rows.map((row) => row.service_code).filter(Boolean));
  return [
    carriers.has(carrierId) ?
      { name: 'carrier id', status: 'ok', detail: `carrier ${carrierId} books this account's shipments` }
    : { name: 'carrier id', status: 'fail', detail: `carrier ${carrierId} books none of this account's ${rows.length} latest shipments (they use: ${[...carriers].join(', ')})`, action: 'set COURIER_B_CARRIER_ID to the carrier id of this account (ShipEngine dashboard: Carriers)' },
    services.has(serviceCode) ?
      { name: 'service code', status: 'ok', detail: `service ${serviceCode} is in use on this account` }
    : { name: 'service code', status: 'warn', detail: `service ${serviceCode} is on none of the latest shipments (they use: ${[...services].join(', ')})`, action: 'check COURIER_B_SERVICE_CODE against the carrier\'s services' },
  ];
}
