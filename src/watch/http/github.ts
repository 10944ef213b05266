import type { ServiceHints } from './responses.js';

/** The headers GitHub recommends for REST API version 2022-11-28, with the token as a Bearer `Authorization` when given. */
export function gitHubHeaders(token: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    Accept: 'application/vnd.github+json',
    'X-GitHub-Api-Version': '2022-11-28',
    'User-Agent': 'headsup',
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

export interface GitHubTokenHintOptions {
  hasToken: boolean;
  /** The origin of the token for hints, e.g. "the environment variable GITHUB_TOKEN". */
  tokenSource: string;
}

/**
 * Builds the token hints that every GitHub endpoint shares, for a 401 and for a rate limit. GitHub
 * allows 60 requests an hour without a token and 5,000 with one.
 */
export function gitHubTokenHints({ hasToken, tokenSource }: GitHubTokenHintOptions): Pick<ServiceHints, 'unauthorized' | 'rateLimitHint'> {
  return {
    unauthorized: (host, detail) =>
      hasToken
        ? `${host} rejected the token (HTTP 401${detail}); check the token in ${tokenSource}`
        : `${host} requires a token (HTTP 401${detail}); set one in ${tokenSource}`,
    rateLimitHint: hasToken ? '' : `; a token in ${tokenSource} raises the limit from 60 to 5,000 requests an hour`,
  };
}
