import { z, type ZodType } from 'zod';
import type { CallOptions, InventoryItem } from '../../../domain';
import { badResponse } from '../../kit/adapter';
import type { OdooClient } from './client';
import { toInventoryItem } from './mapper';
import { idsSchema, PRODUCT_FIELDS, productSchema } from './schema';

/** One `execute_kw`: model, method, arguments and what the result must look like. Internal to the ERP adapter. */
export interface Call<T> {
  readonly model: string;
  readonly method: string;
  readonly args: readonly unknown[];
  readonly schema: ZodType<T>;
  readonly kwargs?: Record<string, unknown>;
}

/** The calls the adapter's parts share: running one, finding a record by a field, reading a product. */
export interface OdooCalls {
  readonly system: string;
  run<T>(operation: string, call: Call<T>, callOptions?: CallOptions): Promise<T>;
  /** Maps what came back; a value the domain cannot hold (an amount out of range) is a bad response. */
  mapped<T>(operation: string, map: () => T): T;
  /** The id of the first record whose `field` equals `value`. */
  idOf(operation: string, model: string, field: string, value: string, callOptions?: CallOptions): Promise<number | undefined>;
  readProduct(operation: string, id: number, callOptions?: CallOptions): Promise<InventoryItem>;
}

export function createOdooCalls(system: string, client: OdooClient): OdooCalls {
  const run = <T>(operation: string, call: Call<T>, callOptions?: CallOptions): Promise<T> =>
    client.execute({ operation, ...call, signal: callOptions?.signal });
  const mapped = <T>(operation: string, map: () => T): T => {
    try {
      return map();
    } catch (error) {
      throw badResponse({ system, operation }, `answer could not be mapped: ${(error as Error).message}`, error);
    }
  };
  return {
    system,
    run,
    mapped,
    async idOf(operation, model, field, value, callOptions) {
      const call = { model, method: 'search', args: [[[field, '=', value]]], kwargs: { limit: 1 }, schema: idsSchema };
      return (await run(operation, call, callOptions))[0];
    },
    async readProduct(operation, id, callOptions) {
      const call = { model: 'product.product', method: 'read', args: [[id], PRODUCT_FIELDS], schema: z.tuple([productSchema]) };
      const [record] = await run(operation, call, callOptions);
      return mapped(operation, () => toInventoryItem(record));
    },
  };
}
