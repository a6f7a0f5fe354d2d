// Its own file, without the database drivers, so reading the configuration does not load them.
/** PostgreSQL connections per gateway process, unless OPENKKA_PG_POOL_SIZE says otherwise. */
export const DEFAULT_PG_POOL_SIZE = 10;
