import { compareVersions, formatVersion, requireVersion, type Version } from '../version.js';
import { quoteIdentifier, sqliteCommand, tableExists, type DatabaseCopy } from './database-copy.js';
import { FIRST_VALIDATING_MINOR, REBUILT_TABLES, SCHEMA_REBUILD_MIGRATION, SQLITE_SCHEMAS, type SchemaObjects } from './schema-objects.js';
import { finding, type PreflightFinding } from './types.js';

export const UNKNOWN_TABLES_CHECK = 'database:unknown-tables';

/** Always skipped by squibble, the schema validator Headscale uses. */
const SQUIBBLE_IGNORED = ['sqlite_sequence', '_schema_history'];

interface SchemaRow {
  type: 'table' | 'index' | 'view' | 'trigger';
  name: string;
  tbl_name: string;
}

export interface SchemaChoice {
  schema: SchemaObjects;
  /** True when the lists were read from the target's own minor series. */
  sameMinor: boolean;
}

/**
 * Picks the object lists for `to`: its own entry, else the nearest entry of the same minor series,
 * else the newest older entry. Returns null for versions before 0.27, which do not validate.
 */
export function schemaFor(to: Version): SchemaChoice | null {
  if (to.major === 0 && to.minor < FIRST_VALIDATING_MINOR) return null;

  const known = Object.keys(SQLITE_SCHEMAS)
    .map((text) => requireVersion(text))
    .sort(compareVersions);
  const sameMinor = known.filter((version) => version.major === to.major && version.minor === to.minor);
  const pick = sameMinor.filter((version) => compareVersions(version, to) <= 0).at(-1) ?? sameMinor[0] ?? known.filter((version) => compareVersions(version, to) <= 0).at(-1);

  return pick ? { schema: SQLITE_SCHEMAS[formatVersion(pick)]!, sameMinor: sameMinor.length > 0 } : null;
}

/**
 * Lists tables, views, triggers and indexes of the copy that the target's schema does not contain
 * and no pending migration removes. Indexes and triggers on the five tables that migration
 * 202507021200 rebuilds vanish with the old tables while that migration is pending.
 */
export function checkUnknownTables(copy: DatabaseCopy, to: Version): PreflightFinding[] {
  const choice = schemaFor(to);
  if (choice === null) {
    return [finding(UNKNOWN_TABLES_CHECK, 'pass', `${formatVersion(to)} does not validate the SQLite schema (validation starts in 0.${FIRST_VALIDATING_MINOR}.0)`)];
  }

  const { schema, sameMinor } = choice;
  const applied = appliedMigrations(copy);
  const dropped = new Set(schema.droppingMigrations.filter((migration) => !applied.has(migration.id)).flatMap((migration) => migration.tables));
  const rebuildPending = !applied.has(SCHEMA_REBUILD_MIGRATION);
  const knownTables = new Set([...schema.tables, ...schema.ignoredTables, ...SQUIBBLE_IGNORED]);
  const knownIndexes = new Set(schema.indexes);

  const rows = copy.db.prepare("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex_%' ORDER BY type, name").all() as SchemaRow[];
  const unknown = rows.filter((row) => {
    if (row.type === 'table' || row.type === 'view') return !knownTables.has(row.name) && !dropped.has(row.name);
    if (!knownTables.has(row.tbl_name) || dropped.has(row.tbl_name)) return false;
    if (rebuildPending && (REBUILT_TABLES as readonly string[]).includes(row.tbl_name)) return false;
    return row.type === 'trigger' || !knownIndexes.has(row.name);
  });

  const source = sameMinor ? `the schema of ${schema.readFrom}` : `the schema of ${schema.readFrom}, the newest one read; ${formatVersion(to)}'s own was not read`;
  const details = { schemaReadFrom: schema.readFrom, droppedByPendingMigrations: [...dropped].filter((table) => tableExists(copy.db, table)) };
  if (unknown.length === 0) {
    return [finding(UNKNOWN_TABLES_CHECK, sameMinor ? 'pass' : 'warn', `every table and index is in ${source}`, null, details)];
  }

  const list = unknown.map((row) => `${row.type} ${row.name}`).join(', ');
  const statements = unknown.map((row) => `DROP ${row.type.toUpperCase()} ${quoteIdentifier(row.name)};`).join(' ');
  return [
    finding(
      UNKNOWN_TABLES_CHECK,
      'fail',
      `${list} not in ${source}; ${formatVersion(to)} exits with "validating schema: invalid schema"`,
      `keep what you need (\`sqlite3 ${copy.livePath} .dump\`), then with Headscale stopped: ${sqliteCommand(copy.livePath, statements)}`,
      { ...details, unknown },
    ),
  ];
}

function appliedMigrations(copy: DatabaseCopy): Set<string> {
  if (!tableExists(copy.db, 'migrations')) return new Set();

  const rows = copy.db.prepare('SELECT id FROM migrations').all() as Array<{ id: string }>;
  return new Set(rows.map((row) => row.id));
}
