import { columnsOf, describeNode, quoteIdentifier, sqliteCommand, tableExists, type DatabaseCopy } from './database-copy.js';
import { finding, type PreflightFinding } from './types.js';

export const ORPHAN_AUTH_KEYS_CHECK = 'database:orphan-auth-keys';
export const FOREIGN_KEYS_CHECK = 'database:foreign-keys';

interface OrphanRow {
  id: number;
  hostname: string | null;
  given_name: string | null;
  auth_key_id: number;
}

interface Violation {
  table: string;
  rowid: number | null;
  parent: string;
  fkid: number;
}

interface ForeignKey {
  id: number;
  from: string;
  on_delete: string;
}

/**
 * Finds nodes whose `auth_key_id` names a pre-auth key that no longer exists. Versions before 0.23
 * did not enforce SQLite foreign keys, so such rows exist in old databases; 0.24.0–0.24.2 then exit
 * with "Migration failed: foreign key constraints violated", and from 0.25 every start runs
 * `PRAGMA foreign_key_check` after its migrations (0.29.2 hscontrol/db/db.go) and exits on any
 * violation. 0.22 wrote 0 for "no key", which 0.23's migration turns into NULL, so 0 is not an orphan.
 */
export function checkOrphanAuthKeys(copy: DatabaseCopy): PreflightFinding[] {
  const { db, nodesTable } = copy;
  if (!columnsOf(db, nodesTable).has('auth_key_id') || !tableExists(db, 'pre_auth_keys')) {
    return [finding(ORPHAN_AUTH_KEYS_CHECK, 'pass', `${nodesTable} has no auth_key_id column or there is no pre_auth_keys table; nothing to check`)];
  }

  const rows = db
    .prepare(
      `SELECT n.id, n.hostname, n.given_name, n.auth_key_id FROM ${quoteIdentifier(nodesTable)} n
       WHERE n.auth_key_id IS NOT NULL AND n.auth_key_id != 0
         AND NOT EXISTS (SELECT 1 FROM pre_auth_keys k WHERE k.id = n.auth_key_id)
       ORDER BY n.id`,
    )
    .all() as OrphanRow[];
  if (rows.length === 0) {
    return [finding(ORPHAN_AUTH_KEYS_CHECK, 'pass', `every ${nodesTable}.auth_key_id names an existing pre-auth key`)];
  }

  const ids = rows.map((row) => row.id);
  // The same statement Headscale 0.25.0's migration 202502070949 runs; the nodes stay registered.
  const sql = `UPDATE ${nodesTable} SET auth_key_id = NULL WHERE id IN (${ids.join(', ')});`;
  const list = rows.map((row) => `${describeNode(row)} → key ${row.auth_key_id}`).join(', ');
  return [
    finding(
      ORPHAN_AUTH_KEYS_CHECK,
      'fail',
      `${rows.length} node(s) reference deleted pre-auth keys: ${list}`,
      `with Headscale stopped: ${sqliteCommand(copy.livePath, sql)}`,
      { nodes: rows, sql },
    ),
  ];
}

/**
 * Runs `PRAGMA foreign_key_check` and reports every violation except the node → pre-auth key ones,
 * which checkOrphanAuthKeys reports with their own fix. The fix applies the foreign key's own
 * `ON DELETE` action, which SQLite would have applied had foreign keys been on when the parent row
 * was deleted.
 */
export function checkForeignKeys(copy: DatabaseCopy): PreflightFinding[] {
  const { db, nodesTable } = copy;
  const violations = (db.prepare('PRAGMA foreign_key_check').all() as Violation[]).filter(
    (violation) => !(violation.table === nodesTable && violation.parent === 'pre_auth_keys'),
  );
  if (violations.length === 0) {
    return [finding(FOREIGN_KEYS_CHECK, 'pass', 'PRAGMA foreign_key_check reports no other violation')];
  }

  const groups = new Map<string, Violation[]>();
  for (const violation of violations) {
    const key = `${violation.table}\u0000${violation.fkid}`;
    groups.set(key, [...(groups.get(key) ?? []), violation]);
  }

  return [...groups.values()].map((group) => violationFinding(copy, group));
}

function violationFinding(copy: DatabaseCopy, group: Violation[]): PreflightFinding {
  const first = group[0]!;
  const foreignKey = (copy.db.prepare(`SELECT id, "from", on_delete FROM pragma_foreign_key_list(?)`).all(first.table) as ForeignKey[]).find(
    (key) => key.id === first.fkid,
  );
  const column = foreignKey?.from ?? '?';
  const rowids = group.map((violation) => violation.rowid).filter((rowid): rowid is number => rowid !== null);
  const message = `${group.length} row(s) of ${first.table} reference missing ${first.parent} rows through ${first.table}.${column}: rowid ${rowids.join(', ')}`;
  const details = { table: first.table, parent: first.parent, column, rowids };
  const where = `rowid IN (${rowids.join(', ')})`;

  switch (foreignKey?.on_delete.toUpperCase()) {
    case 'SET NULL':
      return finding(FOREIGN_KEYS_CHECK, 'fail', message, `with Headscale stopped: ${sqliteCommand(copy.livePath, `UPDATE ${first.table} SET ${column} = NULL WHERE ${where};`)}`, details);
    case 'CASCADE':
      return finding(FOREIGN_KEYS_CHECK, 'fail', message, `with Headscale stopped, after checking that these rows may go: ${sqliteCommand(copy.livePath, `DELETE FROM ${first.table} WHERE ${where};`)}`, details);
    default:
      return finding(FOREIGN_KEYS_CHECK, 'fail', message, `restore the missing ${first.parent} rows, or delete the ${first.table} rows ${rowids.join(', ')}`, details);
  }
}
