import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { HeadscaleFiles } from '../apply/headscale-config.js';
import { HeadsupError } from '../errors.js';
import { parseDocument } from 'yaml';
import { createScratchCopy, dropScratchCopy, dumpDatabase, readPostgresSettings } from '../apply/postgres/index.js';
import type { ProcessRunner } from '../platform/exec.js';
import { freePort } from '../platform/ports.js';
import { rewriteConfigForSandbox, type SandboxPorts } from './sandbox-config.js';

export interface SandboxOptions {
  liveConfigPath: string;
  /** The files the live config names, from readHeadscaleFiles. */
  files: HeadscaleFiles;
  /** A private parent folder; created with mode 0700 when missing. */
  root: string;
  /** Start of the sandbox folder's name, e.g. the instance name. Default: `sandbox`. */
  label?: string;
  /** Runs pg_dump and psql for a PostgreSQL-backed instance; required for one. */
  runner?: ProcessRunner;
}

/** A private copy of a Headscale instance that a new binary can migrate and serve without touching production. */
export interface Sandbox {
  /** The sandbox folder, mode 0700; every file in it is mode 0600. */
  dir: string;
  configPath: string;
  dbPath: string;
  healthUrl: string;
  socketPath: string;
  /** The copy of the policy file, or null when the live config names none. */
  policyPath: string | null;
  ports: SandboxPorts;
  /** Facts about the rehearsal that the operator should know, e.g. that it downloads the DERP map. */
  notes: string[];
  /** Removes the sandbox folder. */
  dispose(): Promise<void>;
}

/** Linux limits a unix socket path to 107 bytes plus the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

/**
 * Creates a sandbox under `root`: a consistent copy of the live SQLite database, copies of the
 * private keys, the policy file and other files the config names, and a config rewritten by
 * rewriteConfigForSandbox. The live database is opened read-only and copied through SQLite's
 * online backup API, which gives a consistent state while Headscale runs and writes in WAL mode.
 * Nothing of the live instance is written. On failure the partial sandbox is removed.
 *
 * A PostgreSQL-backed instance gets a scratch database on the same server instead of a file copy.
 */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const sqlitePath = options.files.databaseType === 'postgres' ? null : requireSqlite(options);
  await mkdir(options.root, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(options.root, `${safeLabel(options.label ?? 'sandbox')}-`));
  let dropScratch: (() => Promise<void>) | null = null;

  try {
    await chmod(dir, 0o700);
    const ports = await allocatePorts();
    const config = rewriteConfigForSandbox(await readFile(options.liveConfigPath, 'utf8'), { liveConfigPath: options.liveConfigPath, dir, ports });
    checkSocketPath(config.socketPath);

    let text = config.text;
    if (sqlitePath) {
      await copyDatabase(sqlitePath, config.databasePath);
    } else {
      const copy = await copyPostgres(options, dir);
      dropScratch = copy.drop;
      text = pointAtDatabase(text, copy.name);
    }
    for (const copy of config.copies) await copyPrivately(copy.source, copy.target);
    const configPath = join(dir, 'config.yaml');
    await writeFile(configPath, text, { mode: 0o600 });

    return {
      dir,
      configPath,
      dbPath: config.databasePath,
      healthUrl: `http://127.0.0.1:${ports.http}/health`,
      socketPath: config.socketPath,
      policyPath: config.policyPath,
      ports,
      notes: config.notes,
      dispose: async () => {
        await dropScratch?.();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await dropScratch?.().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Copies a PostgreSQL-backed instance's database into a scratch database on the same server
 * (`pg_dump` of the live database, restored into `headsup_rehearsal_<random>`). The Headscale
 * database user needs CREATEDB for this.
 */
async function copyPostgres(options: SandboxOptions, dir: string): Promise<{ name: string; drop: () => Promise<void> }> {
  const runner = options.runner;
  if (!runner) throw new HeadsupError('REHEARSAL_POSTGRES_NO_RUNNER', 'rehearsing a PostgreSQL-backed instance needs a process runner for pg_dump', { hint: 'this is a bug in headsup; please report it' });

  const settings = await readPostgresSettings(options.liveConfigPath);
  const dumpFile = join(dir, 'live.pgdump');
  await dumpDatabase(runner, settings, dumpFile);
  const scratch = await createScratchCopy(runner, settings, dumpFile);
  await rm(dumpFile, { force: true });
  return { name: scratch.name, drop: () => dropScratchCopy(runner, settings, scratch) };
}

function pointAtDatabase(configText: string, name: string): string {
  const document = parseDocument(configText);
  document.setIn(['database', 'postgres', 'name'], name);
  return document.toString();
}

/** Keeps a label usable as part of one file name. */
function safeLabel(label: string): string {
  return label.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40) || 'sandbox';
}

function requireSqlite(options: SandboxOptions): string {
  if (options.files.databaseType === 'postgres') {
    throw new HeadsupError('REHEARSAL_POSTGRES_UNSUPPORTED', `rehearsing on a copy is not supported yet for PostgreSQL: ${options.liveConfigPath} uses database.type postgres`, {
      hint: 'rehearse by hand on a pg_dump restored into a scratch database',
    });
  }

  if (options.files.sqlitePath === null) {
    throw new HeadsupError('HEADSCALE_CONFIG_NO_DATABASE', `the Headscale config ${options.liveConfigPath} names no SQLite database path`, {
      hint: 'set `database.sqlite.path` in the Headscale config (or `db_path` before 0.23)',
    });
  }

  return options.files.sqlitePath;
}

async function allocatePorts(): Promise<SandboxPorts> {
  return { http: await freePort('tcp'), metrics: await freePort('tcp'), grpc: await freePort('tcp'), stun: await freePort('udp') };
}

function checkSocketPath(socketPath: string): void {
  if (Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH_BYTES) return;

  throw new HeadsupError('REHEARSAL_PATH_TOO_LONG', `the sandbox socket path ${socketPath} is longer than the ${MAX_SOCKET_PATH_BYTES} bytes a unix socket path may have`, {
    hint: 'give the rehearsal a shorter work folder',
  });
}

/**
 * Copies the live database with SQLite's online backup API. The source is opened read-only and
 * must exist; the backup restarts by itself when the server writes during the copy.
 * NOTE: on a stopped server whose `-wal` and `-shm` files are gone, even a read-only connection
 * to a WAL-mode database creates them in the live folder.
 */
/** Copies a live SQLite database consistently through the online backup API, opening the live file read-only. */
export async function copyDatabase(source: string, target: string): Promise<void> {
  let database: Database.Database;
  try {
    database = new Database(source, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new HeadsupError('REHEARSAL_COPY_FAILED', `cannot open the live database ${source} read-only: ${(error as Error).message}`, { cause: error });
  }

  try {
    await database.backup(target);
  } finally {
    database.close();
  }
  await chmod(target, 0o600);
}

/** Copies a file readable only by its owner; a missing source is skipped, and Headscale then creates the file (keys) or fails as production would. */
async function copyPrivately(source: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  try {
    await copyFile(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await chmod(target, 0o600);
}
