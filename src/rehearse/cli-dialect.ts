import { HeadsupError } from '../errors.js';
import type { Version } from '../judge/version.js';

/**
 * The read-only CLI commands whose form differs between Headscale versions, measured on 0.26.1,
 * 0.27.1, 0.28.0 and 0.29.2. Common to all four: `users list`, `nodes list`, `nodes list-routes`,
 * `apikeys list`, `policy get`, and `-o json` on every command except `version`.
 */
export interface CliDialect {
  /**
   * Up to 0.27 `preauthkeys list` requires `--user <ID>` and lists that user's keys; from 0.28
   * it takes no user and lists every key.
   */
  readonly preAuthKeysListedPerUser: boolean;
  preAuthKeysListArgs(userId?: number): string[];
  /**
   * The full argument list of `policy check` for a policy file. Up to 0.28 the command parses the
   * file on its own and rejects `-c`. From 0.29 it validates the file against the users and nodes
   * of a running server, which it reaches through the unix socket named in the config. Without
   * `-c` it would ask the server on the default socket, which on a production host is the live
   * server.
   */
  policyCheckArgs(policyFile: string, configPath: string): string[];
}

/** The oldest minor series whose CLI this dialect covers. */
const OLDEST_MINOR = 26;

/** Returns the CLI dialect of `version`; throws a HeadsupError for versions before 0.26. */
export function cliDialect(version: Version): CliDialect {
  if (version.major === 0 && version.minor < OLDEST_MINOR) {
    throw new HeadsupError('HEADSCALE_CLI_UNSUPPORTED', `Headscale ${version.text} is not supported: headsup supports the CLI of 0.${OLDEST_MINOR} and later`, {
      hint: `upgrade the instance to 0.${OLDEST_MINOR}.1 by hand first`,
    });
  }

  const from029 = version.major > 0 || version.minor >= 29;
  const from028 = version.major > 0 || version.minor >= 28;

  return {
    preAuthKeysListedPerUser: !from028,
    preAuthKeysListArgs: (userId) => {
      if (from028) return ['preauthkeys', 'list'];
      if (userId === undefined) throw new Error(`Headscale ${version.text} lists pre-auth keys per user: pass a user ID`);

      return ['preauthkeys', 'list', '--user', String(userId)];
    },
    policyCheckArgs: (policyFile, configPath) =>
      from029 ? ['-c', configPath, 'policy', 'check', '--file', policyFile] : ['policy', 'check', '--file', policyFile],
  };
}
