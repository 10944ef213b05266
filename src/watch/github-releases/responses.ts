import { ChannelError } from '../release.js';
import type { RetryableFailure } from '../retry.js';
import { mentionsRateLimit, readRateLimit } from './rate-limit.js';

/** The result of one attempt at a GitHub API request, sorted where the response enters. */
export type AttemptOutcome =
  | { kind: 'ok'; json: unknown; etag: string | null; link: string | null }
  | { kind: 'not-modified' }
  /** A failure that a retry may cure; `reason` is one line for people, `retryAt` set for rate limits. */
  | { kind: 'retry'; failure: RetryableFailure; status: number | null; reason: string; retryAt: Date | null }
  | { kind: 'fail'; error: ChannelError };

export interface ResponseContext {
  channel: string;
  /** Host of the API, e.g. `api.github.com`, used in messages. */
  host: string;
  repository: string;
  hasToken: boolean;
  /** The origin of the token for hints, e.g. "the environment variable GITHUB_TOKEN". */
  tokenSource: string;
  now: Date;
}

/** A response with its body already read, so classifying it does no I/O. */
export interface ReadResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** The wait after a secondary limit without `retry-after`; GitHub's REST API docs require at least one minute. */
const SECONDARY_LIMIT_WAIT_MS = 60_000;

/** Sorts a response into success, not-modified, retryable failure or final failure. */
export function classifyResponse(response: ReadResponse, context: ResponseContext): AttemptOutcome {
  const { status } = response;

  if (status === 200) return parseOk(response, context);
  if (status === 304) return { kind: 'not-modified' };
  if (status === 403 || status === 429) return classifyForbidden(response, context);
  if (status >= 500) {
    const reason = `${context.host} returned HTTP ${status}`;
    return { kind: 'retry', failure: { kind: 'server-error', status }, status, reason, retryAt: null };
  }

  const detail = gitHubMessage(response.body);
  if (status === 401) {
    const message = context.hasToken
      ? `${context.host} rejected the token (HTTP 401${detail}); check the token in ${context.tokenSource}`
      : `${context.host} requires a token (HTTP 401${detail}); set one in ${context.tokenSource}`;
    return fail(context, 'unauthorized', message);
  }
  if (status === 404) {
    const hint = context.hasToken ? '' : ', or set a token if the repository is private';
    return fail(context, 'not-found', `repository ${context.repository} not found at ${context.host} (HTTP 404${detail}); check channels.github.repository${hint}`);
  }
  return fail(context, 'invalid-response', `${context.host} returned unexpected HTTP ${status}${detail}`);
}

function parseOk(response: ReadResponse, context: ResponseContext): AttemptOutcome {
  try {
    const json: unknown = JSON.parse(response.body);
    return { kind: 'ok', json, etag: response.headers.get('etag'), link: response.headers.get('link') };
  } catch (error) {
    return fail(context, 'invalid-response', `${context.host} returned malformed JSON: ${(error as Error).message}`, error);
  }
}

/**
 * Sorts a 403 or 429. It is a rate limit when the response shows one: no requests remaining,
 * `retry-after`, or the secondary-limit message. Any other 403 means the token may not read the
 * repository.
 */
function classifyForbidden(response: ReadResponse, context: ResponseContext): AttemptOutcome {
  const limit = readRateLimit(response.headers, context.now);
  const status = response.status;

  if (limit.retryAfterMs !== null) {
    const retryAt = new Date(context.now.getTime() + limit.retryAfterMs);
    const failure: RetryableFailure = { kind: 'rate-limited', retryAfterMs: limit.retryAfterMs };
    return { kind: 'retry', failure, status, reason: rateLimitedUntil(context, retryAt), retryAt };
  }
  if (limit.exhausted) {
    const retryAt = limit.resetAt ?? new Date(context.now.getTime() + SECONDARY_LIMIT_WAIT_MS);
    return failRateLimited(context, retryAt);
  }
  if (status === 429 || mentionsRateLimit(response.body)) {
    return failRateLimited(context, new Date(context.now.getTime() + SECONDARY_LIMIT_WAIT_MS));
  }
  return fail(context, 'unauthorized', `${context.host} denied access to ${context.repository} (HTTP 403${gitHubMessage(response.body)}); check that the token in ${context.tokenSource} may read it`);
}

function failRateLimited(context: ResponseContext, retryAt: Date): AttemptOutcome {
  return { kind: 'fail', error: new ChannelError(context.channel, 'rate-limited', rateLimitedUntil(context, retryAt), { retryAt }) };
}

/** Formats the one-line reason for a rate limit, with a hint when no token is set (60 instead of 5,000 requests an hour). */
export function rateLimitedUntil(context: Pick<ResponseContext, 'host' | 'hasToken' | 'tokenSource'>, retryAt: Date): string {
  const hint = context.hasToken ? '' : `; a token in ${context.tokenSource} raises the limit from 60 to 5,000 requests an hour`;
  return `${context.host} rate limited until ${retryAt.toISOString()}${hint}`;
}

function fail(context: ResponseContext, kind: ChannelError['kind'], message: string, cause?: unknown): AttemptOutcome {
  return { kind: 'fail', error: new ChannelError(context.channel, kind, message, { cause }) };
}

/** GitHub's own error text (`{"message": "Bad credentials"}`) as `: <message>`, cut to one short line. */
function gitHubMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof message !== 'string' || message.trim() === '') return '';
    return `: ${message.replace(/\s+/g, ' ').trim().slice(0, 160)}`;
  } catch {
    return '';
  }
}
