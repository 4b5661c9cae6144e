export { createDatabaseConfig, parseDatabaseUrl, DEFAULT_SQLITE_FILE, MIGRATIONS_DIR, SQLITE_FILE_NAME } from './config';
export type { DatabaseDialect, DatabaseOptions, DatabaseTarget } from './config';
export { openDatabase } from './database';
export type { Database } from './database';
export { seedSiteStore } from './seed';
export type { SeedResult } from './seed';
export * from './entities';
export { fromAddressColumn, toAddressColumn } from './address-column';
export { createBookingLedger, seedBookingLedger } from './booking-ledger';
