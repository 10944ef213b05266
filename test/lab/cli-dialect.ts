import { randomBytes } from 'node:crypto';

import type { Version } from '../../src/judge/version.js';
import { cliDialect as readDialect, type CliDialect as ReadDialect } from '../../src/rehearse/cli-dialect.js';

/**
 * The CLI commands of src/rehearse/cli-dialect.ts plus the ones the lab needs to seed an instance,
 * measured on 0.26.1, 0.27.1, 0.28.0 and 0.29.2. Common to all four: `users create NAME`,
 * `preauthkeys create --user <user ID>`, `debug create-node --user <user name>` and
 * `nodes tag --identifier <node ID>`.
 */
export interface CliDialect extends ReadDialect {
  /** A fresh ID for `debug create-node --key`, in the form the register command accepts. */
  newRegistrationId(): string;
  /** Turns the pending registration that `debug create-node` made into a node of `userName`. */
  registerArgs(userName: string, registrationId: string): string[];
}

/** Length of the random part of a registration ID (24 URL-safe characters in 0.26–0.29). */
const REGISTRATION_ID_LENGTH = 24;

export function cliDialect(version: Version): CliDialect {
  const read = readDialect(version);
  const from029 = version.major > 0 || version.minor >= 29;

  return {
    ...read,
    // 0.29 renamed registration IDs to auth IDs with the prefix `hskey-authreq-` (38 characters);
    // up to 0.28 they are the 24 random characters alone.
    newRegistrationId: () => (from029 ? `hskey-authreq-${randomId()}` : randomId()),
    // 0.29 deprecates `nodes register` (it still works but prints a warning) for `auth register`.
    registerArgs: (userName, registrationId) =>
      from029
        ? ['auth', 'register', '--auth-id', registrationId, '--user', userName]
        : ['nodes', 'register', '--user', userName, '--key', registrationId],
  };
}

function randomId(): string {
  return randomBytes(REGISTRATION_ID_LENGTH).toString('base64url').slice(0, REGISTRATION_ID_LENGTH);
}
