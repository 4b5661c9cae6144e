import { z } from 'zod';

/**
 * Opaque cursors: base64url of the sort key of the last item of a page. Customers sort by id; orders by placed_at
 * then id, both descending. The leading tag keeps a customer cursor from being taken for an order cursor.
 */
const customerKey = z.tuple([z.literal('c'), z.string().min(1)]);
const orderKey = z.tuple([z.literal('o'), z.iso.datetime(), z.string().min(1)]);

export interface OrderKey {
  readonly placedAt: Date;
  readonly id: string;
}

export function customerCursor(id: string): string {
  return encode(['c', id]);
}

export function orderCursor(key: OrderKey): string {
  return encode(['o', key.placedAt.toISOString(), key.id]);
}

/** The customer id a cursor points after; undefined when it is not one of ours. */
export function readCustomerCursor(cursor: string): string | undefined {
  const parsed = customerKey.safeParse(decode(cursor));
  return parsed.success ? parsed.data[1] : undefined;
}

export function readOrderCursor(cursor: string): OrderKey | undefined {
  const parsed = orderKey.safeParse(decode(cursor));
  return parsed.success ? { placedAt: new Date(parsed.data[1]), id: parsed.data[2] } : undefined;
}

function encode(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decode(cursor: string): unknown {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
