import type { ErpAdapterOptions } from './adapter';
import { reachableCheck, sampleReads, type DoctorCheck, type DoctorContext, type ProbeAnswer, type SystemDoctor } from '../kit/doctor';

/**
 * The standard fields the adapter relies on, with the module of stock Odoo 17 that brings each (no custom module):
 * `sale` (addons/sale/models/sale_order.py), `sale_stock` (addons/sale_stock/models/sale_order.py: delivery_status),
 * `stock` (addons/stock/models/stock_quant.py: inventory mode), `base` (res.partner.ref).
 */
const REQUIRED_FIELDS: readonly { readonly model: string; readonly field: string; readonly module: string }[] = [
  { model: 'res.partner', field: 'ref', module: 'base' },
  { model: 'sale.order', field: 'client_order_ref', module: 'sale' },
  { model: 'sale.order', field: 'delivery_status', module: 'sale_stock' },
  { model: 'stock.quant', field: 'inventory_quantity', module: 'stock' },
];

interface RpcAnswer {
  readonly result?: unknown;
  readonly error?: { readonly data?: { readonly name?: string; readonly message?: string }; readonly message?: string };
}

const rpc = (context: DoctorContext<ErpAdapterOptions>, operation: string, service: string, method: string, args: readonly unknown[]): Promise<ProbeAnswer> =>
  context.request(operation, { method: 'POST', path: '/jsonrpc', body: { jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: 1 } });

const resultOf = (answer: ProbeAnswer): RpcAnswer => (typeof answer.body === 'object' && answer.body !== null ? (answer.body as RpcAnswer) : {});

/**
 * The ERP's readiness (Odoo 17 over `/jsonrpc`): `common.version` (the server version), `common.authenticate`
 * (false when the database, login or API key is wrong), the fields of stock Odoo the adapter relies on (`fields_get`:
 * a missing one names its module), and a one-row partner read repeated for the latency.
 */
export const erpDoctor: SystemDoctor<ErpAdapterOptions> = {
  async probe(context) {
    const { db, login, apiKey } = context.connection;
    const version = await rpc(context, 'version', 'common', 'version', []);
    const checks: DoctorCheck[] = [reachableCheck(version, 'POST /jsonrpc')];
    const serverVersion = (resultOf(version).result as { server_version?: string } | undefined)?.server_version;
    if (serverVersion !== undefined && !/^(saas~)?1[7-9]\b/.test(serverVersion)) {
      checks.push({ name: 'api version', status: 'fail', detail: `the server runs Odoo ${serverVersion}`, action: 'the adapter speaks Odoo 17: upgrade the database, or ask for an adapter of that version' });
    }
    const login_ = await rpc(context, 'authenticate', 'common', 'authenticate', [db, login, apiKey, {}]);
    const uid = resultOf(login_).result;
    if (typeof uid !== 'number') {
      checks.push({
        name: 'authenticated',
        status: 'fail',
        detail: `database ${db}, login ${login} and the API key were refused (authenticate answered ${JSON.stringify(uid ?? null)})`,
        action: 'set ERP_DB, ERP_LOGIN and ERP_API_KEY to a database of this server, a user of it, and an API key of that user (Preferences > Account Security)',
      });
      return { checks, ...(serverVersion ? { apiVersion: `Odoo ${serverVersion}` } : {}) };
    }
    checks.push({ name: 'authenticated', status: 'ok', detail: `user ${login} (uid ${uid}) on database ${db}` });
    for (const model of [...new Set(REQUIRED_FIELDS.map((one) => one.model))]) {
      const answer = await rpc(context, 'fields_get', 'object', 'execute_kw', [db, uid, apiKey, model, 'fields_get', [], { attributes: ['type'] }]);
      const fields = resultOf(answer).result as Record<string, unknown> | undefined;
      for (const need of REQUIRED_FIELDS.filter((one) => one.model === model)) {
        checks.push(
          fields && need.field in fields ?
            { name: 'fields', status: 'ok', detail: `${model}.${need.field} is there` }
          : {
              name: 'fields',
              status: 'fail',
              detail: `${model}.${need.field} is missing${resultOf(answer).error ? ` (${resultOf(answer).error?.data?.message ?? resultOf(answer).error?.message})` : ''}`,
              action: `install the Odoo module ${need.module} (Apps), which brings it`,
            },
        );
      }
    }
    const read = [db, uid, apiKey, 'res.partner', 'search_read', [[]], { fields: ['ref', 'email'], limit: 1 }];
    const { latenciesMs } = await sampleReads(context, 'partners.read', { method: 'POST', path: '/jsonrpc', body: { jsonrpc: '2.0', method: 'call', params: { service: 'object', method: 'execute_kw', args: read }, id: 2 } });
    return { checks, latenciesMs, ...(serverVersion ? { apiVersion: `Odoo ${serverVersion}` } : {}) };
  },
};
