import type { Clock } from '../platform/clock.js';
import type { HttpClient } from '../platform/http.js';
import type { Logger } from '../platform/logger.js';
import type { ChannelStateRepository } from '../store/channel-state.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';

/** The constructor options that every release and advisory channel takes. */
export interface ChannelDependencies {
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  state: ChannelStateRepository;
  /** Bound of each request in milliseconds, body included. */
  timeoutMs?: number;
  /** Retries after a failed request; default 3. */
  maxRetries?: number;
  /** Backoff settings; `maxRetries` overrides its field. */
  retryPolicy?: RetryPolicy;
}

/** The token options of the channels that call the GitHub REST API. */
export interface GitHubTokenOptions {
  /** A token the caller read from the environment; never logged or put in messages. */
  token?: string;
  /** The origin of the token for hints; default "the environment variable named by channels.github.token_env". */
  tokenSource?: string;
}

export const DEFAULT_TOKEN_SOURCE = 'the environment variable named by channels.github.token_env';

/** The settings a channel passes on to the client that sends its requests. */
export interface RequestSettings {
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  timeoutMs: number | undefined;
  retryPolicy: RetryPolicy;
}

/** Picks the request settings from a channel's options, with `maxRetries` applied to the retry policy. */
export function requestSettings(options: ChannelDependencies): RequestSettings {
  const retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
  return {
    http: options.http,
    clock: options.clock,
    logger: options.logger,
    timeoutMs: options.timeoutMs,
    retryPolicy: { ...retryPolicy, maxRetries: options.maxRetries ?? retryPolicy.maxRetries },
  };
}

/**
 * Runs `fetch` and, when it throws, records the error's message as a failure of `channel` in the
 * channel state before rethrowing the same error. With `shouldRecord`, only the errors it accepts
 * are recorded, and the others are rethrown without a record.
 */
export async function recordingFailure<T>(
  channel: string,
  options: Pick<ChannelDependencies, 'state' | 'clock'>,
  fetch: () => Promise<T>,
  shouldRecord: (error: unknown) => boolean = () => true,
): Promise<T> {
  try {
    return await fetch();
  } catch (error) {
    if (shouldRecord(error)) options.state.recordFailure(channel, options.clock.now(), (error as Error).message);
    throw error;
  }
}

/**
 * Returns the stored ETag of `channel`, but only while its stored list is readable, because a 304
 * needs a list to fall back on. Logs a warning with `warning` as the message and returns null when
 * `deserialize` throws on the stored list.
 */
export function readableStoredEtag(
  channel: string,
  options: Pick<ChannelDependencies, 'state' | 'logger'>,
  deserialize: (data: string) => unknown,
  warning: string,
): string | null {
  const stored = options.state.get(channel);
  if (!stored?.etag || !stored.data) return null;

  try {
    deserialize(stored.data);
    return stored.etag;
  } catch (error) {
    options.logger.warn({ channel, err: error }, warning);
    return null;
  }
}
