import { ChannelError } from '../release.js';
import type { RetryableFailure } from '../retry.js';
import { mentionsRateLimit, readRateLimit } from '../github-releases/rate-limit.js';

/** The result of one attempt at a request, sorted where the response enters. */
export type AttemptOutcome =
  | { kind: 'ok'; json: unknown; etag: string | null; link: string | null }
  | { kind: 'not-modified' }
  /** A failure that a retry may cure; `reason` is one line for people, `retryAt` set for rate limits. */
  | { kind: 'retry'; failure: RetryableFailure; status: number | null; reason: string; retryAt: Date | null }
  | { kind: 'fail'; error: ChannelError };

/**
 * The messages a service gives for the statuses whose fix depends on the service: each names the
 * host, the status with the server's own `detail` (`: Bad credentials` or empty), and what to change.
 */
export interface ServiceHints {
  /** HTTP 401. */
  unauthorized(host: string, detail: string): string;
  /** HTTP 403 that is not a rate limit. */
  forbidden(host: string, detail: string): string;
  /** HTTP 404. */
  notFound(host: string, detail: string): string;
  /** Appended to rate-limit messages, e.g. `; a token in … raises the limit`; empty for none. */
  rateLimitHint: string;
}

export interface ResponseContext {
  channel: string;
  /** Host of the API, e.g. `api.github.com`, used in messages. */
  host: string;
  hints: ServiceHints;
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
  const { host, hints } = context;

  if (status === 200) return parseOk(response, context);
  if (status === 304) return { kind: 'not-modified' };
  if (status === 403 || status === 429) return classifyForbidden(response, context);
  if (status >= 500) {
    const reason = `${host} returned HTTP ${status}`;
    return { kind: 'retry', failure: { kind: 'server-error', status }, status, reason, retryAt: null };
  }

  const detail = serverMessage(response.body);
  if (status === 401) return fail(context, 'unauthorized', hints.unauthorized(host, detail));
  if (status === 404) return fail(context, 'not-found', hints.notFound(host, detail));
  return fail(context, 'invalid-response', `${host} returned unexpected HTTP ${status}${detail}`);
}

/** Formats the one-line reason for a rate limit, e.g. `api.github.com rate limited until 2026-07-21T13:00:00.000Z`. */
export function rateLimitedUntil(host: string, retryAt: Date, hint: string): string {
  return `${host} rate limited until ${retryAt.toISOString()}${hint}`;
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
 * `retry-after`, or a rate-limit message. Any other 403 is an access problem the hints describe.
 */
function classifyForbidden(response: ReadResponse, context: ResponseContext): AttemptOutcome {
  const limit = readRateLimit(response.headers, context.now);
  const { status } = response;
  const { host, hints } = context;

  if (limit.retryAfterMs !== null) {
    const retryAt = new Date(context.now.getTime() + limit.retryAfterMs);
    const failure: RetryableFailure = { kind: 'rate-limited', retryAfterMs: limit.retryAfterMs };
    return { kind: 'retry', failure, status, reason: rateLimitedUntil(host, retryAt, hints.rateLimitHint), retryAt };
  }
  if (limit.exhausted) {
    const retryAt = limit.resetAt ?? new Date(context.now.getTime() + SECONDARY_LIMIT_WAIT_MS);
    return failRateLimited(context, retryAt);
  }
  if (status === 429 || mentionsRateLimit(response.body)) {
    return failRateLimited(context, new Date(context.now.getTime() + SECONDARY_LIMIT_WAIT_MS));
  }
  return fail(context, 'unauthorized', hints.forbidden(host, serverMessage(response.body)));
}

function failRateLimited(context: ResponseContext, retryAt: Date): AttemptOutcome {
  const message = rateLimitedUntil(context.host, retryAt, context.hints.rateLimitHint);
  return { kind: 'fail', error: new ChannelError(context.channel, 'rate-limited', message, { retryAt }) };
}

function fail(context: ResponseContext, kind: ChannelError['kind'], message: string, cause?: unknown): AttemptOutcome {
  return { kind: 'fail', error: new ChannelError(context.channel, kind, message, { cause }) };
}

/**
 * Extracts the server's own error text as `: <message>`, cut to one short line. GitHub
 * (`{"message": "Bad credentials"}`) and OSV (`{"code": 3, "message": "…"}`) both put it in `message`.
 */
function serverMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof message !== 'string' || message.trim() === '') return '';
    return `: ${message.replace(/\s+/g, ' ').trim().slice(0, 160)}`;
  } catch {
    return '';
  }
}
