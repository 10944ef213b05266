import { columnsOf, describeNode, quoteIdentifier, sqliteCommand, tableExists, type DatabaseCopy } from './database-copy.js';
import { finding, type PreflightFinding } from './types.js';

export const NULL_COLUMNS_CHECK = 'database:null-columns';

interface NodeRow {
  id: number;
  hostname: string | null;
  given_name: string | null;
}

/**
 * Finds NULLs that a later version treats differently from the running one:
 * - `routes.node_id`: 0.25.0 makes the column NOT NULL and its migration deletes such routes first.
 * - `nodes.user_id` on an untagged node: the node belongs to no user. From 0.28 only tagged nodes
 *   may have no user; 0.29.1's recovery migration re-derives the user from the node's pre-auth key
 *   and leaves the others ownerless (0.29.2 hscontrol/db/db.go).
 * - local users without a name, which neither the CLI nor a policy can refer to.
 */
export function checkNullColumns(copy: DatabaseCopy): PreflightFinding[] {
  const findings = [...routesWithoutNode(copy), ...nodesWithoutUser(copy), ...usersWithoutName(copy)];
  return findings.length > 0 ? findings : [finding(NULL_COLUMNS_CHECK, 'pass', 'no NULL owner, route node or user name found')];
}

function routesWithoutNode(copy: DatabaseCopy): PreflightFinding[] {
  const { db } = copy;
  if (!tableExists(db, 'routes') || !columnsOf(db, 'routes').has('node_id')) return [];

  const ids = (db.prepare('SELECT id FROM routes WHERE node_id IS NULL ORDER BY id').all() as Array<{ id: number }>).map((row) => row.id);
  if (ids.length === 0) return [];

  return [finding(NULL_COLUMNS_CHECK, 'warn', `routes ${ids.join(', ')} belong to no node; 0.25's migration deletes them`, null, { table: 'routes', ids })];
}

function nodesWithoutUser(copy: DatabaseCopy): PreflightFinding[] {
  const { db, nodesTable } = copy;
  const columns = columnsOf(db, nodesTable);
  if (!columns.has('user_id')) return [];

  const tagsColumn = columns.has('tags') ? 'tags' : columns.has('forced_tags') ? 'forced_tags' : null;
  const untagged = tagsColumn === null ? '' : `AND (${tagsColumn} IS NULL OR ${tagsColumn} IN ('', '[]', 'null'))`;
  const rows = db.prepare(`SELECT id, hostname, given_name FROM ${quoteIdentifier(nodesTable)} WHERE user_id IS NULL ${untagged} ORDER BY id`).all() as NodeRow[];
  if (rows.length === 0) return [];

  const commands = rows.map((row) => `headscale nodes delete --identifier ${row.id} --force`).join(' && ');
  return [
    finding(
      NULL_COLUMNS_CHECK,
      'warn',
      `untagged node(s) without a user: ${rows.map(describeNode).join(', ')}; no user's policy rules apply to them`,
      `delete them and register the clients again under a user: ${commands}`,
      { table: nodesTable, ids: rows.map((row) => row.id) },
    ),
  ];
}

function usersWithoutName(copy: DatabaseCopy): PreflightFinding[] {
  const { db } = copy;
  if (!tableExists(db, 'users')) return [];

  const local = columnsOf(db, 'users').has('provider_identifier') ? 'AND provider_identifier IS NULL' : '';
  const ids = (db.prepare(`SELECT id FROM users WHERE (name IS NULL OR name = '') ${local} ORDER BY id`).all() as Array<{ id: number }>).map((row) => row.id);
  if (ids.length === 0) return [];

  const sql = `UPDATE users SET name = 'user-' || id WHERE id IN (${ids.join(', ')});`;
  return [finding(NULL_COLUMNS_CHECK, 'warn', `local user(s) ${ids.join(', ')} have no name`, `give them a name; with Headscale stopped: ${sqliteCommand(copy.livePath, sql)}`, { table: 'users', ids })];
}
