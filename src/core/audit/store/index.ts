/** The team audit store: one shared table on the team's PostgreSQL or MySQL/MariaDB. Loaded lazily. */
export { parseStoreUrl, storeDatabaseConfig, storeId, STORE_PASSWORD_ENV, STORE_SECRET_ID, STORE_URL_ENV, type StoreConfig, type StoreDriver } from './config';
export { grantSql, initSql, STORE_COLUMNS, STORE_TABLE } from './schema';
export { StoreDestination, StoreForkError, type StoreDestinationOptions } from './destination';
export { readStore, verifyStore, storeIdsOf, type StoreFilter, type StoreRow, type StoreVerifyResult, type WriterCheck } from './read';
export { crossCheck, type CrossCheck } from './crossCheck';
export { initStore, openStore, storeCounts } from './open';
