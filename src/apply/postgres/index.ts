export { connectionString, type PgTool, type PgToolOptions } from './connection.js';
export { dumpDatabase, type DumpResult } from './dump.js';
export { restoreDatabase, type RestoreOptions } from './restore.js';
export { createScratchCopy, dropScratchCopy, SCRATCH_PREFIX, scratchDatabaseName } from './scratch.js';
export { DEFAULT_POSTGRES_PORT, readPostgresSettings, type PostgresSettings } from './settings.js';
export { runSql, type SqlOptions } from './sql.js';
export { checkPgDumpSupportsServer, pgToolVersion, postgresServerVersion, type PgVersion } from './tool-version.js';
