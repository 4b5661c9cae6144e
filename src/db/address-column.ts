import { z } from 'zod';
import type { PostalAddress } from '../domain';

/**
 * A customer's delivery address is kept as one JSON text column (`customers.shipping_address`): it is read and
 * written whole, never queried by its parts, and text is the same on SQLite and PostgreSQL.
 */
const addressColumn = z.object({
  name: z.string(),
  phone: z.string().nullable().optional(),
  line1: z.string(),
  line2: z.string().nullable().optional(),
  city: z.string(),
  region: z.string(),
  postalCode: z.string(),
  countryCode: z.string().length(2),
  residential: z.boolean().nullable().optional(),
});

export function toAddressColumn(address: PostalAddress | null | undefined): string | null {
  return address ? JSON.stringify(address) : null;
}

/** The column's text as an address; null when empty. A value no write could have made is refused loudly. */
export function fromAddressColumn(text: string | null | undefined): PostalAddress | null {
  if (text === null || text === undefined || text === '') return null;
  return addressColumn.parse(JSON.parse(text)) as PostalAddress;
}
