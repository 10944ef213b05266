import type { Version } from '../version.js';
import { columnsOf, describeNode, quoteIdentifier, type DatabaseCopy } from './database-copy.js';
import { finding, type PreflightFinding } from './types.js';

export const NODE_KEYS_CHECK = 'database:node-keys';

/** Key columns and the type prefix Tailscale's text form gives each key. */
const KEY_COLUMNS = [
  { column: 'machine_key', prefix: 'mkey:' },
  { column: 'node_key', prefix: 'nodekey:' },
  { column: 'disco_key', prefix: 'discokey:' },
] as const;

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

interface KeyRow {
  id: number;
  hostname: string | null;
  given_name: string | null;
  machine_key: string | null;
  node_key: string | null;
  disco_key: string | null;
}

export interface KeyProblem {
  node: string;
  column: string;
  value: string | null;
  problem: 'empty' | 'malformed' | 'null';
}

/**
 * Checks that every node's machine, node and disco key is a 32-byte key in hex. 0.22 tolerated an
 * empty `disco_key`; 0.23 fails to load the nodes ("failed to unmarshal disco key from db: key hex
 * has the wrong size, got 0 want 64"), and 0.29.2 prints "decoding to DiscoKey: key hex string
 * doesn't have expected type prefix discokey:". Databases written before 0.23 hold bare hex, to which
 * 0.23's migration adds the type prefix; from 0.23 on the prefix is required. A NULL loads as the
 * zero key (0.29.2 hscontrol/db/text_serialiser.go), so it is a warning: the node cannot connect,
 * but the server starts.
 */
export function checkNodeKeys(copy: DatabaseCopy, from: Version): PreflightFinding[] {
  const { db, nodesTable } = copy;
  const columns = columnsOf(db, nodesTable);
  const present = KEY_COLUMNS.filter((key) => columns.has(key.column));
  if (present.length === 0) {
    return [finding(NODE_KEYS_CHECK, 'pass', `${nodesTable} has no key columns; nothing to check`)];
  }

  const names = ['id', 'hostname', 'given_name', ...present.map((key) => key.column)].filter((name) => name === 'id' || columns.has(name));
  const rows = db.prepare(`SELECT ${names.join(', ')} FROM ${quoteIdentifier(nodesTable)} ORDER BY id`).all() as KeyRow[];
  const prefixRequired = from.major > 0 || from.minor >= 23;

  const problems: KeyProblem[] = [];
  const badIds = new Set<number>();
  for (const row of rows) {
    for (const key of present) {
      const problem = keyProblem(row[key.column], key.prefix, prefixRequired);
      if (problem === null) continue;

      problems.push({ node: describeNode(row), column: key.column, value: row[key.column], problem });
      if (problem !== 'null') badIds.add(row.id);
    }
  }

  if (problems.length === 0) {
    return [finding(NODE_KEYS_CHECK, 'pass', `the keys of all ${rows.length} node(s) are well-formed`)];
  }

  const list = problems.map((problem) => `node ${problem.node} ${problem.column} is ${problem.problem === 'null' ? 'NULL' : problem.problem === 'empty' ? 'empty' : `malformed (${JSON.stringify(problem.value)})`}`).join('; ');
  const ids = [...badIds];
  if (ids.length === 0) {
    return [finding(NODE_KEYS_CHECK, 'warn', `${list}; these nodes load with a zero key and cannot connect until they register again`, 'delete the nodes and register them again: `headscale nodes delete --identifier <id> --force`', { problems })];
  }

  const commands = ids.map((id) => `headscale nodes delete --identifier ${id} --force`).join(' && ');
  return [
    finding(
      NODE_KEYS_CHECK,
      'fail',
      `${list}; the target version fails to load the nodes and exits`,
      `delete the nodes with the running version, then register the clients again (\`tailscale up --login-server …\`): ${commands}`,
      { problems, nodeIds: ids },
    ),
  ];
}

function keyProblem(value: string | null, prefix: string, prefixRequired: boolean): KeyProblem['problem'] | null {
  if (value === null) return 'null';
  if (value === '') return 'empty';

  if (value.startsWith(prefix)) return HEX_KEY.test(value.slice(prefix.length)) ? null : 'malformed';
  if (prefixRequired) return 'malformed';

  return HEX_KEY.test(value) ? null : 'malformed';
}
