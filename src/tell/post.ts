import { isTimeoutError } from '../platform/http.js';
import { readRateLimit } from '../watch/github-releases/rate-limit.js';
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryableFailure } from '../watch/retry.js';
import { DEFAULT_NOTIFY_TIMEOUT_MS, DeliveryError, type NotifierDeps } from './notifier.js';
import { redact } from './redact.js';

/** One JSON endpoint of a notifier. `url` and `headers` may hold secrets and are never logged. */
export interface JsonEndpoint {
  notifier: string;
  url: string;
  host: string;
  headers: Record<string, string>;
}

type Attempt = { kind: 'ok' } | { kind: 'retry'; failure: RetryableFailure; reason: string } | { kind: 'fail'; reason: string };

/** Maximum number of characters of a rejecting response's body quoted in the error message. */
const BODY_EXCERPT_CHARS = 200;

/**
 * POSTs `body` as JSON and resolves once the receiver returns 2xx. Retries timeouts, network
 * errors, 5xx and 429 (waiting for `retry-after`) as the retry policy allows, sleeping on the
 * injected clock. Throws DeliveryError when it gives up or the receiver rejects the request.
 */
export async function postJson(endpoint: JsonEndpoint, body: unknown, alertKey: string, deps: NotifierDeps): Promise<void> {
  const policy = deps.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const text = JSON.stringify(body);

  for (let attempt = 1; ; attempt++) {
    const outcome = await postOnce(endpoint, text, deps);

    if (outcome.kind === 'ok') return;
    if (outcome.kind === 'fail') throw new DeliveryError(endpoint.notifier, outcome.reason, true);

    const delayMs = retryDelay(outcome.failure, attempt, policy);
    if (delayMs === null) {
      const tries = attempt === 1 ? '1 attempt' : `${attempt} attempts`;
      throw new DeliveryError(endpoint.notifier, `${outcome.reason}, gave up after ${tries}`, false);
    }

    const fields = { notifier: endpoint.notifier, host: endpoint.host, alert: alertKey, attempt, reason: outcome.reason, delayMs };
    deps.logger.warn(fields, 'retrying alert delivery');
    await deps.clock.sleep(delayMs);
  }
}

async function postOnce(endpoint: JsonEndpoint, text: string, deps: NotifierDeps): Promise<Attempt> {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  const headers = { 'Content-Type': 'application/json', 'User-Agent': 'headsup', ...endpoint.headers };
  let response: Response;
  let responseBody: string;

  try {
    response = await deps.http.fetch(endpoint.url, { method: 'POST', headers, body: text, timeoutMs });
    responseBody = await response.text();
  } catch (error) {
    return transportFailure(error, endpoint.host, timeoutMs);
  }

  return classifyStatus(response, responseBody, endpoint.host, deps);
}

function classifyStatus(response: Response, body: string, host: string, deps: NotifierDeps): Attempt {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'ok' };

  const returned = `${host} returned HTTP ${status}${excerpt(body)}`;
  if (status === 429) {
    const retryAfterMs = readRateLimit(response.headers, deps.clock.now()).retryAfterMs;
    const wait = retryAfterMs === null ? 'without retry-after' : `with retry-after ${Math.ceil(retryAfterMs / 1000)} s`;
    return { kind: 'retry', failure: { kind: 'rate-limited', retryAfterMs }, reason: `${returned} (rate limited ${wait})` };
  }
  if (status >= 500) return { kind: 'retry', failure: { kind: 'server-error', status }, reason: returned };
  return { kind: 'fail', reason: returned };
}

/**
 * Sorts an error thrown while sending or reading the body. Node's fetch reports network failures
 * as a TypeError whose `cause` is the socket error; any other error is a bug and propagates.
 */
function transportFailure(error: unknown, host: string, timeoutMs: number): Attempt {
  if (isTimeoutError(error)) return { kind: 'retry', failure: { kind: 'timeout' }, reason: `${host} timed out after ${timeoutMs} ms` };

  if (error instanceof TypeError) {
    const cause = error.cause as (Error & { code?: string }) | undefined;
    const detail = cause instanceof Error ? cause.message || cause.code || error.message : error.message;
    return { kind: 'retry', failure: { kind: 'network' }, reason: `${host} unreachable: ${redact(detail)}` };
  }
  throw error;
}

/** Formats the start of a response body as `: text` on one line, with secrets masked; empty for an empty body. */
function excerpt(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  if (line === '') return '';
  const cut = line.length > BODY_EXCERPT_CHARS ? `${line.slice(0, BODY_EXCERPT_CHARS)}…` : line;
  return `: ${redact(cut)}`;
}
