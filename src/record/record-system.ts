import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database } from '../db';
import type { SystemConnections } from '../estate/connections';
import type { IntegrationMap } from '../integration-map';
import { composeSystems, connectionsFor } from '../runtime/compose-systems';
import { REDACTION_RULES, systemNamed } from '../systems';
import { tapTraffic } from '../systems/kit/adapter';
import type { BatchRead, Order, SiteStore } from '../domain';
import { CASSETTE_VERSION, type Cassette } from './cassette';
import { createRecorder } from './recorder';

export interface RecordSystemOptions {
  readonly config: Config;
  /** The site's database: the store the keys to read are taken from, and the integration log of the calls. */
  readonly db: Database;
  readonly logger: Logger;
  readonly map: IntegrationMap;
  /** The system to record (a name of the registry the integration map declares, not the store). */
  readonly system: string;
  /** The window ends after this many answers. @default 50 */
  readonly calls?: number;
  /** ...or after this many seconds, whichever comes first. @default 60 */
  readonly seconds?: number;
  /** Where the systems are. @default connectionsFor(config): the running sandboxes when PLUGBOARD_SANDBOXES=on, else *_URL */
  readonly connections?: SystemConnections;
  /** The site's records read per round (ids, SKUs). @default 20 */
  readonly pageSize?: number;
  readonly now?: () => Date;
}

/** The system cannot be recorded (unknown, not in the estate, or our own database): said to the user as is. */
export class RecordError extends Error {}

/** Which of the site's keys a batch read takes, from its name (`findItemsBySkus`, `findPartnersByCustomerIds`, …). */
function keysFor(method: string, page: { customers: readonly string[]; orders: readonly Order[] }): readonly string[] | undefined {
  if (/BySkus$/.test(method)) return [...new Set(page.orders.flatMap((order) => order.lines.map((line) => line.sku)))];
  if (/By(Customer|Partner)Ids$|^findCustomersByIds$/.test(method)) return page.customers;
  if (/ByOrderIds$|^findOrdersByIds$/.test(method)) return page.orders.map((order) => order.id);
  return undefined;
}

/** Every batch read (`find…By…`) of the ports a system serves, with the keys it takes. */
function batchReadsOf(ports: Record<string, unknown>): Array<{ name: string; read: BatchRead<unknown> }> {
  const reads: Array<{ name: string; read: BatchRead<unknown> }> = [];
  for (const [portName, served] of Object.entries(ports)) {
    if (portName === 'store' || served === undefined) continue;
    for (const port of Array.isArray(served) ? served : [served]) {
      for (const [method, value] of Object.entries(port as Record<string, unknown>)) {
        if (typeof value === 'function' && /^find\w*By\w+$/.test(method)) reads.push({ name: method, read: (value as BatchRead<unknown>).bind(port) });
      }
    }
  }
  return reads;
}

/**
 * `npm run record`: a window of one system's traffic, recorded by driving the system itself with the product's own
 * adapter — reads only, never a write, so that it is safe against a production account. The window's keys are the
 * site's own (customer ids, order ids, SKUs from the store, a page at a time): every batch read the system's ports
 * have is asked for them, until `calls` answers were recorded, `seconds` passed, or the site's records ran out. The
 * calls go through the one composition root (the system's policy, the integration log, the autopilot) like any; each
 * answer is redacted by the same rules as the logs as it arrives.
 */
export async function recordSystem(options: RecordSystemOptions): Promise<Cassette> {
  const now = options.now ?? (() => new Date());
  const definition = systemNamed(options.system);
  if (!definition) throw new RecordError(`no system named ${options.system}`);
  if (!definition.connect) throw new RecordError(`${options.system} is the site's own database: it has no traffic to record`);
  if (!options.map.systems[options.system]) throw new RecordError(`the integration map declares no system ${options.system}`);
  const calls = options.calls ?? 50;
  const deadline = Date.now() + (options.seconds ?? 60) * 1_000;
  const pageSize = options.pageSize ?? 20;
  const only = ['store', options.system];
  const recorder = createRecorder({ system: options.system, rules: REDACTION_RULES, maxCalls: calls });
  const connections = options.connections ?? (await connectionsFor(options.config, [options.system]));
  const untap = tapTraffic(recorder);
  const recordedFrom = now();
  try {
    const composed = await composeSystems({ config: options.config, db: options.db, logger: options.logger, map: options.map, connections, only });
    try {
      const store = composed.ports.store as SiteStore;
      const reads = batchReadsOf(composed.ports as Record<string, unknown>);
      if (reads.length === 0) throw new RecordError(`${options.system} serves no batch read to drive`);
      let customersAfter: string | null = null;
      let ordersAfter: string | null = null;
      const ended = () => recorder.entries().length >= calls || Date.now() >= deadline;
      while (!ended()) {
        const customers = await store.listCustomers({ first: pageSize, after: customersAfter });
        const orders = await store.listOrders({ first: pageSize, after: ordersAfter });
        const page = { customers: customers.items.map((customer) => customer.id), orders: orders.items };
        for (const { name, read } of reads) {
          if (ended()) break;
          const keys = keysFor(name, page);
          // A failed read is part of the window (its answer, a 4xx or 5xx, is recorded): the next read goes on.
          if (keys?.length) await read(keys).catch((error: Error) => options.logger.warn({ system: options.system, operation: name, reason: error.message }, 'record'));
        }
        if (!customers.hasNextPage && !orders.hasNextPage) break;
        customersAfter = customers.endCursor;
        ordersAfter = orders.endCursor;
      }
    } finally {
      await composed.close();
    }
  } finally {
    untap();
  }
  const base = connections[options.system]?.baseUrl ?? 'the system';
  return {
    version: CASSETTE_VERSION,
    system: options.system,
    recordedFrom: recordedFrom.toISOString(),
    recordedTo: now().toISOString(),
    source: `${base.replace(/\/\/[^/@]*@/, '//')}: the site's records read through ${options.system}'s adapter (reads only), at most ${calls} answers or ${options.seconds ?? 60} s`,
    entries: [...recorder.entries()],
  };
}
