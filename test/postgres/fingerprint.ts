import type { PostgresSettings } from '../../src/apply/postgres/settings.js';
import { runSql } from '../../src/apply/postgres/sql.js';
import { nodeProcessRunner } from '../../src/platform/exec.js';

/**
 * The content of the `public` schema as text: each table's columns with their types and an MD5
 * of its rows in a fixed order, every index and constraint definition, and every sequence's last
 * value. Two databases with equal fingerprints hold the same tables, rows, indexes, constraints
 * and sequence positions.
 */
export interface DatabaseFingerprint {
  tables: Record<string, { columns: string[]; rows: number; md5: string }>;
  indexes: string[];
  constraints: string[];
  sequences: string[];
}

export async function databaseFingerprint(settings: PostgresSettings): Promise<DatabaseFingerprint> {
  const columns = await query(
    settings,
    `SELECT table_name, string_agg(column_name || ' ' || data_type || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END, ', ' ORDER BY ordinal_position)
     FROM information_schema.columns WHERE table_schema = 'public' GROUP BY table_name ORDER BY table_name;`,
  );

  const tables: DatabaseFingerprint['tables'] = {};
  for (const [table = '', definition = ''] of columns) {
    const quoted = `"${table.replaceAll('"', '""')}"`;
    const [[rows = '0', md5 = ''] = []] = await query(settings, `SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM public.${quoted} t;`);
    tables[table] = { columns: definition.split(', '), rows: Number(rows), md5 };
  }

  const indexes = await lines(settings, `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname;`);
  const constraints = await lines(
    settings,
    `SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1;`,
  );
  const sequences = await lines(settings, `SELECT sequencename || ' ' || coalesce(last_value::text, 'unused') FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1;`);
  return { tables, indexes, constraints, sequences };
}

async function lines(settings: PostgresSettings, sql: string): Promise<string[]> {
  return (await query(settings, sql)).map((columns) => columns.join('|'));
}

/** Runs a query and returns its rows split into columns. */
export async function query(settings: PostgresSettings, sql: string): Promise<string[][]> {
  const output = await runSql(nodeProcessRunner, settings, sql);
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('|'));
}

/** Lists the tables of the `public` schema. */
export async function publicTables(settings: PostgresSettings): Promise<string[]> {
  return (await query(settings, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename;`)).map(([name = '']) => name);
}
