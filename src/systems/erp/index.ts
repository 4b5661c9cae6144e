import { z } from 'zod';
import type { Erp } from '../../domain';
import { defineSystem, definePolicies } from '../kit/define-system';
import { erpDoctor } from './doctor';
import { customerOf, orderOf, versionedKey } from '../kit/followers';
import { createErpAdapter, type ErpAdapterOptions } from './adapter';
import { createErpSandbox, ERP_SANDBOX_CREDENTIALS } from './sandbox';

/** Read-cache lifetime of the ERP's reads: stock moves, so a follower copy of it is short-lived. */
const CACHE_TTL_MS = 5_000;

export const ERP_POLICIES = definePolicies<Erp>({
  findItemsBySkus: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS },
  findPartnersByCustomerIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS },
  findOrdersByOrderIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS },
  adjustStock: { kind: 'write' },
  reserveStock: { kind: 'write' },
  releaseStock: { kind: 'write' },
  upsertPartner: { kind: 'write' },
  upsertOrder: { kind: 'write' },
});

/** The ERP: Odoo 17 over JSON-RPC; owns inventory, follows customers and orders. */
export const erpSystem = defineSystem<ErpAdapterOptions>({
  name: 'erp',
  kind: 'erp',
  title: 'ERP (Odoo-style JSON-RPC)',
  auth: 'api-key',
  format: 'json-rpc',
  imitates: { latencyMs: [100, 300], vendor: 'Odoo', api: 'Odoo 17 external JSON-RPC API (object.execute_kw; res.partner, product.product, sale.order, stock.quant)', reference: 'https://www.odoo.com/documentation/17.0/developer/reference/external_api.html' },
  subgraph: { name: 'erp', port: 4003 },
  // The external API takes the password or API key as the third argument of common.authenticate and object.execute_kw.
  redaction: { positional: [{ services: ['common', 'object'], argIndexes: [2] }] },
  cacheTtlMs: CACHE_TTL_MS,
  settings: {
    ERP_URL: { schema: z.string().url().optional(), doc: 'Base URL of the ERP (its /jsonrpc endpoint lives below it).', required: true },
    ERP_DB: { schema: z.string().optional(), doc: 'ERP database name.', required: true },
    ERP_LOGIN: { schema: z.string().optional(), doc: 'ERP user login.', required: true },
    ERP_API_KEY: { schema: z.string().optional(), doc: 'ERP API key.', required: true },
  },
  connect: (settings) => ({ baseUrl: settings.get('ERP_URL'), db: settings.get('ERP_DB'), login: settings.get('ERP_LOGIN'), apiKey: settings.get('ERP_API_KEY') }),
  environmentOf: (connection) => ({ ERP_URL: connection.baseUrl, ERP_DB: connection.db, ERP_LOGIN: connection.login, ERP_API_KEY: connection.apiKey }),
  sandbox: {
    port: 4102,
    connection: (url) => ({ baseUrl: url, ...ERP_SANDBOX_CREDENTIALS }),
    create: ({ estate }) => ({ definition: createErpSandbox(estate) }),
  },
  doctor: erpDoctor,
  serve: ({ connection, resilience }) => {
    const adapter = createErpAdapter(connection);
    return { ports: { erp: resilience.wrap<Erp>('erp', adapter, ERP_POLICIES) }, close: async () => adapter[Symbol.asyncDispose]() };
  },
  followers: ({ ports, invalidate }) => ({
    'erp:upsertPartner': async (job) => {
      const current = await customerOf(ports, job);
      await ports.erp!.upsertPartner({ customer: current, idempotencyKey: versionedKey(job, current.updatedAt) });
      await invalidate('erp', 'findPartnersByCustomerIds', [current.id]);
    },
    'erp:upsertOrder': async (job) => {
      const current = await orderOf(ports, job);
      await ports.erp!.upsertOrder({ order: current, idempotencyKey: versionedKey(job, current.updatedAt) });
      await invalidate('erp', 'findOrdersByOrderIds', [current.id]);
    },
    'erp:adjustStock': async (job) => {
      const payload = job.payload as { sku: string; delta: number; reason: string };
      await ports.erp!.adjustStock({ sku: payload.sku, delta: payload.delta, reason: payload.reason, idempotencyKey: job.idempotencyKey });
      await invalidate('erp', 'findItemsBySkus', [payload.sku]);
    },
    'erp:releaseStock': async (job) => {
      const payload = job.payload as { orderId: string; sku: string; quantity: number };
      await ports.erp!.releaseStock({ ...payload, idempotencyKey: job.idempotencyKey });
      await invalidate('erp', 'findItemsBySkus', [payload.sku]);
    },
  }),
});
