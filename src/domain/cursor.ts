/**
 * Opaque page cursors: base64url of the sort key of the last item of a page. Customers sort by id; orders by placed_at
 * then id, both descending. The leading tag keeps a customer cursor from being taken for an order cursor. The store
 * writes them and reads them back; the graph's edge checks a client's `after` with the same reader, so a cursor it
 * refuses is one the store could not have read.
 */
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
  const key = decode(cursor);
  return key?.length === 2 && key[0] === 'c' && key[1] ? key[1] : undefined;
}

/** The order a cursor points after; undefined when it is not one of ours. */
export function readOrderCursor(cursor: string): OrderKey | undefined {
  const key = decode(cursor);
  if (key?.length !== 3 || key[0] !== 'o' || !key[2] || !ISO_INSTANT.test(key[1] ?? '')) return undefined;
  const placedAt = new Date(key[1]!);
  return Number.isNaN(placedAt.getTime()) ? undefined : { placedAt, id: key[2] };
}

/** What Date.prototype.toISOString writes (the only form orderCursor makes). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function encode(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decode(cursor: string): readonly string[] | undefined {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(key) && key.every((part) => typeof part === 'string') ? (key as string[]) : undefined;
  } catch {
    return undefined;
  }
}
