import { columnsOf, tableExists, type DatabaseCopy } from './database-copy.js';
import { finding, type PreflightFinding } from './types.js';

export const DUPLICATE_USERS_CHECK = 'database:duplicate-users';

interface DuplicateRow {
  value: string;
  ids: string;
}

/**
 * Finds users that the unique indexes of 0.24 and later forbid, and names shared between a local
 * and an OIDC user. 0.24.0 creates `idx_name_no_provider_identifier` (local user names unique) and
 * `idx_provider_identifier`, and 0.27's schema rebuild creates them again, so duplicates make the
 * migration fail. A name shared across providers is allowed, but a policy that names `user@` then
 * matches neither user (seen in the field after upgrading 0.23 → 0.26).
 */
export function checkDuplicateUsers(copy: DatabaseCopy): PreflightFinding[] {
  const { db } = copy;
  if (!tableExists(db, 'users')) return [finding(DUPLICATE_USERS_CHECK, 'pass', 'there is no users table; nothing to check')];

  const hasProvider = columnsOf(db, 'users').has('provider_identifier');
  const localOnly = hasProvider ? 'WHERE provider_identifier IS NULL' : '';
  const findings: PreflightFinding[] = [];

  const localDuplicates = db.prepare(`SELECT name AS value, group_concat(id, ', ') AS ids FROM users ${localOnly} GROUP BY name HAVING count(*) > 1 ORDER BY name`).all() as DuplicateRow[];
  if (localDuplicates.length > 0) {
    findings.push(
      finding(
        DUPLICATE_USERS_CHECK,
        'fail',
        `local user names used more than once: ${describe(localDuplicates)}; the unique index idx_name_no_provider_identifier cannot be built`,
        `rename all but one user of each name, e.g. \`headscale users rename --identifier <id> --new-name <new name>\` (0.24 and later; before 0.24 \`headscale users rename OLD NEW\`), then register their nodes again under the kept user and delete the spare users`,
        { localDuplicates },
      ),
    );
  }

  if (hasProvider) {
    findings.push(...providerDuplicates(copy));
  }

  if (findings.length === 0) {
    findings.push(finding(DUPLICATE_USERS_CHECK, 'pass', 'user names and provider identifiers are unique'));
  }

  return findings;
}

function providerDuplicates(copy: DatabaseCopy): PreflightFinding[] {
  const { db } = copy;
  const findings: PreflightFinding[] = [];

  const identifiers = db
    .prepare(`SELECT provider_identifier AS value, group_concat(id, ', ') AS ids FROM users WHERE provider_identifier IS NOT NULL GROUP BY provider_identifier HAVING count(*) > 1 ORDER BY provider_identifier`)
    .all() as DuplicateRow[];
  if (identifiers.length > 0) {
    findings.push(
      finding(
        DUPLICATE_USERS_CHECK,
        'fail',
        `OIDC provider identifiers used by more than one user: ${describe(identifiers)}; the unique index idx_provider_identifier cannot be built`,
        'keep one user per identifier: register the nodes of the others again, then `headscale users destroy --identifier <id>`',
        { providerIdentifierDuplicates: identifiers },
      ),
    );
  }

  const shared = db
    .prepare(`SELECT name AS value, group_concat(id, ', ') AS ids FROM users WHERE name IS NOT NULL AND name != '' GROUP BY name HAVING count(*) > 1 AND count(DISTINCT coalesce(provider_identifier, '')) > 1 ORDER BY name`)
    .all() as DuplicateRow[];
  if (shared.length > 0) {
    findings.push(
      finding(
        DUPLICATE_USERS_CHECK,
        'warn',
        `user names shared by a local and an OIDC user, or by users of different providers: ${describe(shared)}; a policy entry \`name@\` matches none of them`,
        'rename the users so that each name is unique (`headscale users rename --identifier <id> --new-name <new name>`), or refer to them by e-mail in the policy',
        { sharedNames: shared },
      ),
    );
  }

  return findings;
}

function describe(rows: DuplicateRow[]): string {
  return rows.map((row) => `${JSON.stringify(row.value)} (ids ${row.ids})`).join(', ');
}
