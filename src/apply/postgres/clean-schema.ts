/**
 * SQL that drops every object in the `public` schema, where Headscale 0.22–0.29 creates all its
 * tables (GORM uses the default search_path): tables, views, materialized views, sequences,
 * foreign tables, functions, procedures, aggregates and user-defined types. Objects that belong to
 * an extension stay, as do the schema itself and its privileges. It needs the privileges to drop
 * those objects, which the owner of the database has, because from PostgreSQL 15 on the owner of
 * the database owns `public`. It waits at most `lock_timeout` for a running Headscale to release a
 * table.
 *
 * NOTE: objects in other schemas are left alone. A dump that holds another schema's objects then
 * fails to restore with "already exists", and the restore changes nothing.
 */
export const CLEAN_PUBLIC_SCHEMA_SQL = `
SET lock_timeout = '30s';

DO $clean$
DECLARE
  item record;
BEGIN
  FOR item IN
    SELECT c.oid, c.relkind, format('%I.%I', n.nspname, c.relname) AS name
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public'
      AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  LOOP
    -- An earlier DROP ... CASCADE may already have taken this object with it (a table takes its
    -- serial sequences and the views that read it).
    CONTINUE WHEN NOT EXISTS (SELECT FROM pg_class WHERE oid = item.oid);
    EXECUTE format('DROP %s %s CASCADE',
      CASE item.relkind
        WHEN 'v' THEN 'VIEW'
        WHEN 'm' THEN 'MATERIALIZED VIEW'
        WHEN 'S' THEN 'SEQUENCE'
        WHEN 'f' THEN 'FOREIGN TABLE'
        ELSE 'TABLE'
      END, item.name);
  END LOOP;

  FOR item IN
    SELECT p.oid, p.prokind, p.oid::regprocedure::text AS signature
    FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public'
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    CONTINUE WHEN NOT EXISTS (SELECT FROM pg_proc WHERE oid = item.oid);
    EXECUTE format('DROP %s %s CASCADE', CASE item.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END, item.signature);
  END LOOP;

  -- Enums, domains, ranges and stand-alone composite types; table row types and array types went
  -- with their tables and element types.
  FOR item IN
    SELECT t.oid, format('%I.%I', n.nspname, t.typname) AS name
    FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_class c ON c.oid = t.typrelid
    WHERE n.nspname = 'public'
      AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
  LOOP
    CONTINUE WHEN NOT EXISTS (SELECT FROM pg_type WHERE oid = item.oid);
    EXECUTE format('DROP TYPE %s CASCADE', item.name);
  END LOOP;
END
$clean$;
`;
