import { seedBookingLedger, seedSiteStore, type Database, type SeedResult } from '../db';
import { SYSTEM_REGISTRY } from '../systems';
import type { EstateSeed } from '../systems/kit/seed';

/**
 * Seeds our database with the example estate, as after a clean migration: the site's store (customers, orders, lines)
 * when it is empty, and the booking ledger with the couriers' bookings of the estate (each courier's sandbox says what
 * its adapter would have recorded had Plugboard booked them) when it is empty. Start-up can call this every time.
 */
export async function seedEstate(db: Database, estate: EstateSeed): Promise<SeedResult & { readonly bookings: number }> {
  const store = await seedSiteStore(db, estate);
  const bookings = await seedBookingLedger(db, SYSTEM_REGISTRY.flatMap((system) => system.sandbox?.bookings?.(estate) ?? []));
  return { ...store, bookings };
}
