import type { StateDatabase } from './database.js';

export interface ChannelState {
  channel: string;
  etag: string | null;
  /** The last good response, as the channel serialised it. */
  data: string | null;
  lastSuccessAt: Date | null;
  lastAttemptAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  /** The first poll ever recorded, successful or not; staleness of a channel that never succeeded counts from here. */
  firstAttemptAt: Date | null;
}

interface ChannelStateRow {
  channel: string;
  etag: string | null;
  data: string | null;
  last_success_at: string | null;
  last_attempt_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  first_attempt_at: string | null;
}

const toDate = (value: string | null): Date | null => (value ? new Date(value) : null);

/** Stores each channel's last fetched data, its ETag, and its last success and error. */
export class ChannelStateRepository {
  constructor(private readonly db: StateDatabase) {}

  get(channel: string): ChannelState | null {
    const row = this.db.prepare('SELECT * FROM channel_state WHERE channel = ?').get(channel) as ChannelStateRow | undefined;
    if (!row) return null;
    return {
      channel: row.channel,
      etag: row.etag,
      data: row.data,
      lastSuccessAt: toDate(row.last_success_at),
      lastAttemptAt: toDate(row.last_attempt_at),
      lastError: row.last_error,
      lastErrorAt: toDate(row.last_error_at),
      firstAttemptAt: toDate(row.first_attempt_at),
    };
  }

  /** Records a successful poll; `data` and `etag` replace the stored ones only when given. */
  recordSuccess(channel: string, at: Date, update: { etag?: string | null; data?: string } = {}): void {
    this.ensure(channel, at);
    this.db
      .prepare(
        `UPDATE channel_state SET
           etag = CASE WHEN @hasEtag THEN @etag ELSE etag END,
           data = COALESCE(@data, data),
           last_success_at = @at, last_attempt_at = @at
         WHERE channel = @channel`,
      )
      .run({ channel, at: at.toISOString(), hasEtag: update.etag === undefined ? 0 : 1, etag: update.etag ?? null, data: update.data ?? null });
  }

  recordFailure(channel: string, at: Date, error: string): void {
    this.ensure(channel, at);
    this.db
      .prepare('UPDATE channel_state SET last_attempt_at = @at, last_error = @error, last_error_at = @at WHERE channel = @channel')
      .run({ channel, at: at.toISOString(), error });
  }

  private ensure(channel: string, at: Date): void {
    this.db.prepare('INSERT OR IGNORE INTO channel_state (channel, first_attempt_at) VALUES (?, ?)').run(channel, at.toISOString());
  }
}
