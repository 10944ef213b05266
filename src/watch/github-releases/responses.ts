import { gitHubTokenHints } from '../http/github.js';
import type { ServiceHints } from '../http/responses.js';

export interface ReleaseHintOptions {
  repository: string;
  hasToken: boolean;
  /** The origin of the token for hints, e.g. "the environment variable GITHUB_TOKEN". */
  tokenSource: string;
}

/** Builds the messages for failures of GitHub's "List releases" endpoint, naming the repository and the config key to fix. */
export function releaseHints({ repository, hasToken, tokenSource }: ReleaseHintOptions): ServiceHints {
  return {
    ...gitHubTokenHints({ hasToken, tokenSource }),
    forbidden: (host, detail) => `${host} denied access to ${repository} (HTTP 403${detail}); check that the token in ${tokenSource} may read it`,
    notFound: (host, detail) => {
      const hint = hasToken ? '' : ', or set a token if the repository is private';
      return `repository ${repository} not found at ${host} (HTTP 404${detail}); check channels.github.repository${hint}`;
    },
  };
}
