import { isTimeoutError } from '../../platform/http.js';
import { ChannelError } from '../release.js';
import type { AttemptOutcome } from './responses.js';

/**
 * Sorts an error thrown while sending a request or reading its body. Node's fetch reports network
 * failures as a TypeError ("fetch failed", "terminated") with the socket error as `cause`; any
 * other error is a bug and propagates.
 */
export function transportFailure(error: unknown, host: string, timeoutMs: number, channel: string): AttemptOutcome {
  if (isTimeoutError(error)) {
    return { kind: 'retry', failure: { kind: 'timeout' }, status: null, reason: `${host} timed out after ${timeoutMs} ms`, retryAt: null };
  }
  if (error instanceof TypeError) {
    const reason = `${host} unreachable: ${describeNetworkError(error)}`;
    // A name that DNS does not know (ENOTFOUND) stays unknown seconds later, typically on a host
    // without internet access. Retrying would only delay the fallback to stored data.
    if (networkErrorCode(error) === 'ENOTFOUND') return { kind: 'fail', error: new ChannelError(channel, 'temporary', reason) };
    return { kind: 'retry', failure: { kind: 'network' }, status: null, reason, retryAt: null };
  }
  throw error;
}

function networkErrorCode(error: TypeError): string | undefined {
  return (error.cause as { code?: string } | undefined)?.code;
}

/** Extracts the socket error behind a fetch TypeError; an AggregateError (one per address tried) may have only a `code`. */
function describeNetworkError(error: TypeError): string {
  const cause = error.cause as (Error & { code?: string }) | undefined;
  if (!(cause instanceof Error)) return error.message;
  return cause.message || cause.code || error.message;
}
