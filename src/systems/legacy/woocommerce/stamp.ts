/**
 * How Plugboard's ids and change times live in a WooCommerce shop: two entries of a record's `meta_data` (keys
 * without a leading underscore, which WooCommerce would hide from the REST API). The data migration writes them for
 * every record it moved; shadow mode's saves write them on every save. Shared by the adapter (which reads and writes
 * them) and the sandbox's seed (which plays the migration).
 *
 * - `plugboard_id`: the new site's id of the record.
 * - `plugboard_sync`: a JSON text `{ "updatedAt", "status"?, "fingerprint" }`: the site's change time and (orders) its
 *   status, as the site sent them, and a fingerprint of the fields the save wrote. WooCommerce stamps `date_modified`
 *   itself and has one `completed` for our SHIPPED and DELIVERED; while the record's fields still have the fingerprint
 *   (no one changed it in the shop since), the stamp's time and status are the record's; once the shop changed it,
 *   WooCommerce's own `date_modified_gmt` and status are.
 */
export const PLUGBOARD_ID = 'plugboard_id';
export const PLUGBOARD_SYNC = 'plugboard_sync';

export interface SyncStamp {
  readonly updatedAt: string;
  readonly status?: string;
  readonly fingerprint: string;
}

interface Meta {
  readonly key: string;
  readonly value?: unknown;
}

export function metaValue(meta: readonly Meta[], key: string): unknown {
  return meta.find((entry) => entry.key === key)?.value;
}

/**
 * A change fingerprint, not a secret: FNV-1a (32 bits) of the fields joined, and their length. Cheap, because
 * reconciliation reads a million records; a back-office change that kept it by chance (about 1 in 4 billion) would
 * keep the stamp's time and status.
 */
function fingerprintOf(values: readonly (string | number)[]): string {
  const text = values.join('\u001f');
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return `${(hash >>> 0).toString(16).padStart(8, '0')}.${text.length}`;
}

/** The customer fields a save writes: e-mail, names, billing phone. */
export function customerFingerprint(customer: { email: string; first_name: string; last_name: string; billing: { phone?: string | undefined } }): string {
  return fingerprintOf([customer.email, customer.first_name, customer.last_name, customer.billing.phone ?? '']);
}

/** The order fields a save writes or decides: customer, status, total, currency. */
export function orderFingerprint(order: { customer_id: number; status: string; total: string; currency: string }): string {
  return fingerprintOf([order.customer_id, order.status, order.total, order.currency]);
}

export function stampText(stamp: SyncStamp): string {
  return JSON.stringify(stamp);
}

/** The stamp of a record, when it has one that reads; anything else is as good as none. */
export function readStamp(value: unknown): SyncStamp | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<SyncStamp>;
    if (typeof parsed.updatedAt !== 'string' || typeof parsed.fingerprint !== 'string' || Number.isNaN(Date.parse(parsed.updatedAt))) return undefined;
    return { updatedAt: parsed.updatedAt, fingerprint: parsed.fingerprint, ...(typeof parsed.status === 'string' ? { status: parsed.status } : {}) };
  } catch {
    return undefined;
  }
}
