import { describe, expect, it } from 'vitest';
import { ChannelStateRepository } from '../store/channel-state.js';
import { openStateDatabase } from '../store/database.js';
import { channelStaleness } from './staleness.js';

const NOW = new Date('2026-07-21T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * HOUR);

type Event = { success: number } | { failure: number; error: string };

/** Creates a state with one channel `c` that saw `events` in order, each given in hours before NOW. */
function stateWith(events: Event[]): ChannelStateRepository {
  const state = new ChannelStateRepository(openStateDatabase(':memory:'));
  for (const event of events) {
    if ('success' in event) state.recordSuccess('c', at(event.success), { data: '{}' });
    else state.recordFailure('c', at(event.failure), event.error);
  }
  return state;
}

describe('channelStaleness', () => {
  it.each([
    { case: 'never polled', events: [], status: 'never-polled', stale: false, ageMs: null, lastError: null },
    { case: 'only failures, the first within the limit', events: [{ failure: 2, error: 'timed out' }], status: 'never-succeeded', stale: false, ageMs: null, lastError: 'timed out' },
    { case: 'only failures, the first past the limit', events: [{ failure: 30, error: 'refused' }, { failure: 2, error: 'timed out' }], status: 'never-succeeded', stale: true, ageMs: null, lastError: 'timed out' },
    { case: 'recent success', events: [{ success: 1 }], status: 'fresh', stale: false, ageMs: HOUR, lastError: null },
    { case: 'success exactly at the limit', events: [{ success: 24 }], status: 'fresh', stale: false, ageMs: DAY, lastError: null },
    { case: 'success past the limit', events: [{ success: 25 }], status: 'stale', stale: true, ageMs: 25 * HOUR, lastError: null },
    {
      case: 'failures after an old success',
      events: [{ success: 48 }, { failure: 1, error: 'HTTP 502' }],
      status: 'stale',
      stale: true,
      ageMs: 48 * HOUR,
      lastError: 'HTTP 502',
    },
    {
      case: 'a failure before a recent success',
      events: [{ failure: 3, error: 'HTTP 502' }, { success: 1 }],
      status: 'fresh',
      stale: false,
      ageMs: HOUR,
      lastError: null,
    },
    {
      case: 'a failure after a recent success',
      events: [{ success: 2 }, { failure: 1, error: 'rate limited' }],
      status: 'fresh',
      stale: false,
      ageMs: 2 * HOUR,
      lastError: 'rate limited',
    },
    { case: 'a success in the future', events: [{ success: -1 }], status: 'fresh', stale: false, ageMs: 0, lastError: null },
  ] as const)('reports $case', ({ events, status, stale, ageMs, lastError }) => {
    const [report] = channelStaleness(stateWith([...events]), ['c'], NOW, DAY);

    expect(report?.status).toBe(status);
    expect(report?.stale).toBe(stale);
    expect(report?.ageMs).toBe(ageMs);
    expect(report?.lastError).toBe(lastError);
  });

  it('reports every channel asked for, in order', () => {
    const state = stateWith([{ success: 30 }]);

    const reports = channelStaleness(state, ['other', 'c'], NOW, DAY);

    expect(reports.map((report) => [report.id, report.status])).toEqual([
      ['other', 'never-polled'],
      ['c', 'stale'],
    ]);
    expect(reports[1]?.lastSuccessAt).toEqual(at(30));
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the limit %s', (limit) => {
    expect(() => channelStaleness(stateWith([]), ['c'], NOW, limit)).toThrow(`the staleness limit must be a positive number of milliseconds, got ${limit}`);
  });
});
