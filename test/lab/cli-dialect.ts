import { randomBytes } from 'node:crypto';

import type { Version } from '../../src/judge/version.js';

/**
 * The CLI commands that differ between the Headscale versions the lab seeds, measured on
 * 0.26.1, 0.27.1, 0.28.0 and 0.29.2. Common to all four: `users create NAME`,
 * `preauthkeys create --user <user ID>`, `debug create-node --user <user name>`,
 * `nodes tag --identifier <node ID>`, and `-o json` on every command except `version`.
 */
export interface CliDialect {
  /** A fresh ID for `debug create-node --key`, in the form the register command accepts. */
  newRegistrationId(): string;
  /** Turns the pending registration that `debug create-node` made into a node of `userName`. */
  registerArgs(userName: string, registrationId: string): string[];
  /**
   * Up to 0.27 `preauthkeys list` requires `--user <ID>` and lists that user's keys; from 0.28
   * it takes no user and lists every key.
   */
  readonly preAuthKeysListedPerUser: boolean;
  preAuthKeysListArgs(userId?: number): string[];
}

/** Length of the random part of a registration ID (24 URL-safe characters in 0.26–0.29). */
const REGISTRATION_ID_LENGTH = 24;

export function cliDialect(version: Version): CliDialect {
  if (version.major === 0 && version.minor < 26) {
    throw new Error(`seeding Headscale ${version.text} is not supported: the lab knows the CLI of 0.26 and later`);
  }

  const from029 = version.major > 0 || version.minor >= 29;
  const from028 = version.major > 0 || version.minor >= 28;

  return {
    // 0.29 renamed registration IDs to auth IDs with the prefix `hskey-authreq-` (38 characters);
    // up to 0.28 they are the 24 random characters alone.
    newRegistrationId: () => (from029 ? `hskey-authreq-${randomId()}` : randomId()),
    // 0.29 deprecates `nodes register` (it still works but prints a warning) for `auth register`.
    registerArgs: (userName, registrationId) =>
      from029
        ? ['auth', 'register', '--auth-id', registrationId, '--user', userName]
        : ['nodes', 'register', '--user', userName, '--key', registrationId],
    preAuthKeysListedPerUser: !from028,
    preAuthKeysListArgs: (userId) => {
      if (from028) return ['preauthkeys', 'list'];
      if (userId === undefined) throw new Error(`Headscale ${version.text} lists pre-auth keys per user: pass a user ID`);

      return ['preauthkeys', 'list', '--user', String(userId)];
    },
  };
}

function randomId(): string {
  return randomBytes(REGISTRATION_ID_LENGTH).toString('base64url').slice(0, REGISTRATION_ID_LENGTH);
}
