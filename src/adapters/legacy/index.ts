import type { ZodType } from 'zod';
import type { CallOptions, LegacyStore } from '../../domain';
import { badResponse, type CallSite } from '../kit';
import { createLegacyClient } from './client';
import { createLegacyMapper } from './mapper';
import { customersAnswerSchema, ordersAnswerSchema } from './schema';

export interface LegacyAdapterOptions {
  /** Where the shop answers; its scripts live below `/api/legacy/`. */
  readonly baseUrl: string;
  /** The shop's API user (HTTP Basic). */
  readonly username: string;
  readonly password: string;
  /** The system's name in the integration map; errors carry it. @default 'legacy' */
  readonly system?: string;
  /** The shop server's time zone: its timestamps are wall-clock time in it, with no offset. @default 'Europe/Amsterdam' */
  readonly timeZone?: string;
  /** Most keys the shop takes per request; a larger batch is sent in several. @default 200 */
  readonly maxKeysPerCall?: number;
  /** Largest answer accepted, in bytes (the integration map's maxResponseBytes). @default 5 MiB */
  readonly maxResponseBytes?: number;
}

/**
 * The legacy shop being replaced, as our LegacyStore: customers and orders looked up by OUR ids (the shop's EXT_REF
 * column), one request per batch of up to `maxKeysPerCall` keys. Read-only: shadow mode and reconciliation.
 */
export function createLegacyAdapter(options: LegacyAdapterOptions): LegacyStore & AsyncDisposable {
  const system = options.system ?? 'legacy';
  const maxKeys = options.maxKeysPerCall ?? 200;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new RangeError(`legacy adapter: maxKeysPerCall must be a whole number from 1, got ${maxKeys}`);
  }
  const mapper = createLegacyMapper(options.timeZone ?? 'Europe/Amsterdam');
  const client = createLegacyClient({
    system,
    baseUrl: options.baseUrl,
    username: options.username,
    password: options.password,
    maxResponseBytes: options.maxResponseBytes,
  });

  /** Looks keys up by EXT_REF, one request per chunk; answers only the rows asked for, mapped. */
  const lookUp = async <Row extends { readonly EXT_REF: string }, T>(
    keys: readonly string[],
    call: { operation: string; script: string; answer: ZodType<{ rows: Row[] }> },
    map: (row: Row) => T,
    callOptions: CallOptions | undefined,
  ): Promise<ReadonlyMap<string, T>> => {
    const site: CallSite = { system, operation: call.operation };
    // The shop splits on commas and trims: a key it could not be asked for is a key it cannot hold.
    const wanted = [...new Set(keys)].filter((key) => key !== '' && !key.includes(',') && key.trim() === key);
    const asked = new Set(wanted);
    const found = new Map<string, T>();
    for (let start = 0; start < wanted.length; start += maxKeys) {
      const rows = await client.lookup<Row>({
        ...call,
        param: 'ext',
        keys: wanted.slice(start, start + maxKeys),
        signal: callOptions?.signal,
      });
      for (const row of rows) {
        if (!asked.has(row.EXT_REF)) continue;
        try {
          found.set(row.EXT_REF, map(row));
        } catch (error) {
          throw badResponse(site, `row ${row.EXT_REF}: ${(error as Error).message}`, error);
        }
      }
    }
    return found;
  };

  const close = (): Promise<void> => client.close();
  return {
    findCustomersByIds: (keys, callOptions) =>
      lookUp(
        keys,
        { operation: 'customers.get', script: 'customers.php', answer: customersAnswerSchema },
        mapper.toCustomer,
        callOptions,
      ),
    findOrdersByIds: (keys, callOptions) =>
      lookUp(
        keys,
        { operation: 'orders.get', script: 'orders.php', answer: ordersAnswerSchema },
        mapper.toOrder,
        callOptions,
      ),
    [Symbol.asyncDispose]: close,
  };
}
