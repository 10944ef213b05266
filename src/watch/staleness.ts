import type { ChannelState, ChannelStateRepository } from '../store/channel-state.js';

/**
 * The freshness of a channel's data:
 * - `fresh`: the last success is at most `staleAfterMs` old;
 * - `stale`: the last success is older than that;
 * - `never-succeeded`: the channel was attempted but never succeeded. It counts as stale once its
 *   first attempt is older than `staleAfterMs`: a new install without network access gets the same
 *   grace as a channel that just failed, and a channel broken from day one is still reported;
 * - `never-polled`: the channel was never attempted, which is not stale. A channel that was just
 *   configured, or one skipped because headsup ran offline, has no data that could have aged.
 */
export type StalenessStatus = 'fresh' | 'stale' | 'never-succeeded' | 'never-polled';

export interface ChannelStaleness {
  id: string;
  status: StalenessStatus;
  lastSuccessAt: Date | null;
  stale: boolean;
  /** Milliseconds since the last success, 0 when that lies in the future; null without a success. */
  ageMs: number | null;
  /** The error of the latest attempt; null when that attempt succeeded or none was made. */
  lastError: string | null;
}

/**
 * Reports, per channel id, how old its last successful poll is at `now` and whether that is
 * older than `staleAfterMs`. Reads the state and nothing else.
 */
export function channelStaleness(state: ChannelStateRepository, channelIds: readonly string[], now: Date, staleAfterMs: number): ChannelStaleness[] {
  if (!Number.isFinite(staleAfterMs) || staleAfterMs <= 0) {
    throw new Error(`the staleness limit must be a positive number of milliseconds, got ${staleAfterMs}`);
  }

  return channelIds.map((id) => assess(id, state.get(id), now, staleAfterMs));
}

function assess(id: string, stored: ChannelState | null, now: Date, staleAfterMs: number): ChannelStaleness {
  const lastError = stored ? latestAttemptError(stored) : null;
  if (!stored?.lastAttemptAt && !stored?.lastSuccessAt) {
    return { id, status: 'never-polled', lastSuccessAt: null, stale: false, ageMs: null, lastError };
  }
  if (!stored.lastSuccessAt) {
    const since = stored.firstAttemptAt ?? stored.lastAttemptAt;
    const stale = since === null || now.getTime() - since.getTime() > staleAfterMs;
    return { id, status: 'never-succeeded', lastSuccessAt: null, stale, ageMs: null, lastError };
  }

  const ageMs = Math.max(0, now.getTime() - stored.lastSuccessAt.getTime());
  const stale = ageMs > staleAfterMs;
  return { id, status: stale ? 'stale' : 'fresh', lastSuccessAt: stored.lastSuccessAt, stale, ageMs, lastError };
}

/**
 * Returns the error of the channel's latest attempt, or null when that attempt succeeded. The state keeps
 * the last error after later successes, so the error counts only when it is newer than the last
 * success. A success and an error at the same instant count as a success.
 */
export function latestAttemptError(stored: ChannelState): string | null {
  if (!stored.lastError || !stored.lastErrorAt) return null;
  if (stored.lastSuccessAt && stored.lastSuccessAt.getTime() >= stored.lastErrorAt.getTime()) return null;
  return stored.lastError;
}
