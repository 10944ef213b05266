import { formatVersion } from '../version.js';
import { adviseConfigFile } from './config-advisor.js';
import { checkClientVersions } from './client-versions.js';
import { openDatabaseCopy, type DatabaseCopy } from './database-copy.js';
import { checkDiskSpace, checkFilesystemType } from './disk-space.js';
import { checkDuplicateUsers } from './duplicate-users.js';
import { checkForeignKeys, checkOrphanAuthKeys } from './foreign-keys.js';
import { checkNodeKeys } from './node-keys.js';
import { checkNoiseKey } from './noise-key.js';
import { checkNullColumns } from './null-columns.js';
import { finding, type PreflightFinding, type PreflightInput } from './types.js';
import { checkUnknownTables } from './unknown-tables.js';

export { adviseConfig, adviseConfigFile, applyConfigAdvice, rulesInForce, type ConfigAdvice, type PolicyChange } from './config-advisor.js';
export { CONFIG_RULES, type ConfigRule, type RuleEffect } from './config-rules.js';
export { CLIENT_MINIMUMS, type ClientMinimum } from './client-minimums.js';
export { SQLITE_SCHEMAS, type SchemaObjects } from './schema-objects.js';
export { unifiedDiff } from './line-diff.js';
export type { NoiseKeyDetails } from './noise-key.js';
export { worstVerdict, type PreflightFinding, type PreflightInput, type Verdict } from './types.js';

type FileCheck = (input: PreflightInput) => Promise<PreflightFinding[]>;
type DatabaseCheck = (copy: DatabaseCopy, input: PreflightInput) => PreflightFinding[];

const FILE_CHECKS: ReadonlyArray<[string, FileCheck]> = [
  ['disk-space', checkDiskSpace],
  ['filesystem-type', checkFilesystemType],
  ['noise-key', checkNoiseKey],
  ['config', async (input) => (await adviseConfigFile(input.headscaleConfigPath, input.from, input.to)).findings],
];

const DATABASE_CHECKS: ReadonlyArray<[string, DatabaseCheck]> = [
  ['database:orphan-auth-keys', (copy) => checkOrphanAuthKeys(copy)],
  ['database:foreign-keys', (copy) => checkForeignKeys(copy)],
  ['database:node-keys', (copy, input) => checkNodeKeys(copy, input.from)],
  ['database:duplicate-users', (copy) => checkDuplicateUsers(copy)],
  ['database:null-columns', (copy) => checkNullColumns(copy)],
  ['database:unknown-tables', (copy, input) => checkUnknownTables(copy, input.to)],
  ['client-versions', (copy, input) => checkClientVersions(copy, input.to)],
];

/**
 * Runs every pre-flight check for the hop `from` → `to` and returns their findings in a fixed
 * order. It reads the live config, keys and file sizes, and queries only the database copy. A
 * check that cannot run returns 'warn'. A check that throws has a bug: the error is logged with its
 * stack and reported as 'fail', so that the hop does not go ahead unchecked.
 */
export async function runPreflight(input: PreflightInput): Promise<PreflightFinding[]> {
  const hop = `${formatVersion(input.from)} → ${formatVersion(input.to)}`;
  const findings: PreflightFinding[] = [];

  for (const [id, check] of FILE_CHECKS) {
    findings.push(...(await guarded(input, id, hop, () => check(input))));
  }

  findings.push(...(await runDatabaseChecks(input, hop)));

  input.logger.info({ hop, findings: findings.length, failed: findings.filter((item) => item.verdict === 'fail').length }, 'preflight: checks done');
  return findings;
}

async function runDatabaseChecks(input: PreflightInput, hop: string): Promise<PreflightFinding[]> {
  const opened = await guarded(input, 'database-copy', hop, async () => {
    const copy = await openDatabaseCopy(input);
    return 'db' in copy ? copy : [copy];
  });
  if (Array.isArray(opened)) {
    const reason = opened[0]?.message ?? 'the database copy could not be opened';
    return [...opened, ...DATABASE_CHECKS.map(([id]) => finding(id, 'warn', `not run: ${reason}`))];
  }

  const findings: PreflightFinding[] = [];
  try {
    for (const [id, check] of DATABASE_CHECKS) {
      findings.push(...(await guarded(input, id, hop, async () => check(opened, input))));
    }
  } finally {
    opened.db.close();
  }

  return findings;
}

async function guarded<T>(input: PreflightInput, id: string, hop: string, run: () => Promise<T>): Promise<T | PreflightFinding[]> {
  try {
    return await run();
  } catch (error) {
    input.logger.error({ check: id, hop, err: error }, 'preflight: check failed unexpectedly');
    return [finding(id, 'fail', `the check failed unexpectedly: ${(error as Error).message}`, 'report this as a headsup bug with the log line "preflight: check failed unexpectedly"')];
  }
}
