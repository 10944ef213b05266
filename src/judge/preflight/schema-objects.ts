/**
 * The SQLite objects each Headscale version accepts. From 0.27.0 Headscale compares the whole
 * SQLite schema with its `hscontrol/db/schema.sql` after the migrations (through
 * github.com/tailscale/squibble) and exits with "validating schema: invalid schema" when the
 * database has a table, index, view or trigger that the file lacks. squibble skips
 * `sqlite_sequence`, `_schema_history` and `sqlite_autoindex_*`, plus the tables Headscale passes
 * in `IgnoreTables`. Read from the tags named in `readFrom`; older versions do not validate.
 */
export interface SchemaObjects {
  /** The tag whose `hscontrol/db/schema.sql` and `hscontrol/db/db.go` the lists come from. */
  readFrom: string;
  tables: readonly string[];
  indexes: readonly string[];
  /** Tables the validation skips. */
  ignoredTables: readonly string[];
  /** Migrations that drop tables before the validation runs; a table counts as dropped only while its migration is pending. */
  droppingMigrations: ReadonlyArray<{ id: string; tables: readonly string[] }>;
}

const TABLES_0_27 = ['migrations', 'users', 'pre_auth_keys', 'api_keys', 'nodes', 'policies'];
const INDEXES_0_27 = ['idx_users_deleted_at', 'idx_provider_identifier', 'idx_name_provider_identifier', 'idx_name_no_provider_identifier', 'idx_api_keys_prefix', 'idx_policies_deleted_at'];
const INDEXES_0_28 = [...INDEXES_0_27, 'idx_pre_auth_keys_prefix'];
const LITESTREAM_TABLES = ['_litestream_lock', '_litestream_seq'];

/** The five tables that migration 202507021200 renames to `<name>_old`, recreates and refills. */
export const REBUILT_TABLES = ['users', 'pre_auth_keys', 'api_keys', 'nodes', 'policies'] as const;
export const SCHEMA_REBUILD_MIGRATION = '202507021200';

const DROPPING_0_27_0 = [
  { id: '202502171819', tables: ['routes'] },
  { id: SCHEMA_REBUILD_MIGRATION, tables: ['routes', ...REBUILT_TABLES.map((table) => `${table}_old`)] },
];
const DROPPING_0_27_1 = [
  ...DROPPING_0_27_0,
  { id: '202510311551', tables: ['namespaces', 'machines', 'shared_machines', 'kvs', 'pre_auth_key_acl_tags', 'routes'] },
];

const V0_29: SchemaObjects = {
  readFrom: 'v0.29.2 (schema.sql identical in v0.29.0 and v0.29.1)',
  tables: [...TABLES_0_27, 'database_versions'],
  indexes: INDEXES_0_28,
  ignoredTables: LITESTREAM_TABLES,
  droppingMigrations: DROPPING_0_27_1,
};

/** Keyed by version without `v`. */
export const SQLITE_SCHEMAS: Readonly<Record<string, SchemaObjects>> = {
  '0.27.0': { readFrom: 'v0.27.0', tables: TABLES_0_27, indexes: INDEXES_0_27, ignoredTables: [], droppingMigrations: DROPPING_0_27_0 },
  '0.27.1': { readFrom: 'v0.27.1', tables: TABLES_0_27, indexes: INDEXES_0_27, ignoredTables: LITESTREAM_TABLES, droppingMigrations: DROPPING_0_27_1 },
  '0.28.0': { readFrom: 'v0.28.0', tables: TABLES_0_27, indexes: INDEXES_0_28, ignoredTables: LITESTREAM_TABLES, droppingMigrations: DROPPING_0_27_1 },
  '0.29.0': V0_29,
  '0.29.1': V0_29,
  '0.29.2': V0_29,
};

/** The first version that validates its SQLite schema. */
export const FIRST_VALIDATING_MINOR = 27;
