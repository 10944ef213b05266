import { describe, expect, it } from 'vitest';
import { CronError, TimeZoneError, nextWindowStart, parseCron, windowAt, type MaintenanceWindow } from './index.js';

const HOUR = 3_600_000;

function windowOf(cron: string, durationMs: number, timeZone: string): MaintenanceWindow {
  return { cron: parseCron(cron), durationMs, timeZone };
}

/** Collects the next `count` window starts after `after`, each strictly after the one before, as ISO strings. */
function startsAfter(window: MaintenanceWindow, after: string, count: number): string[] {
  const starts: string[] = [];
  let cursor = new Date(after);
  for (let index = 0; index < count; index++) {
    cursor = nextWindowStart(window, cursor);
    starts.push(cursor.toISOString());
  }
  return starts;
}

describe('nextWindowStart in UTC', () => {
  it('finds the next Saturday 02:00', () => {
    // 2026-05-01 is a Friday.
    expect(startsAfter(windowOf('0 2 * * 6', 2 * HOUR, 'UTC'), '2026-05-01T10:00:00Z', 2)).toEqual([
      '2026-05-02T02:00:00.000Z',
      '2026-05-09T02:00:00.000Z',
    ]);
  });

  it('is strictly after the given instant', () => {
    const window = windowOf('0 2 * * 6', 2 * HOUR, 'UTC');
    expect(nextWindowStart(window, new Date('2026-05-02T02:00:00Z')).toISOString()).toBe('2026-05-09T02:00:00.000Z');
    expect(nextWindowStart(window, new Date('2026-05-02T01:59:59.999Z')).toISOString()).toBe('2026-05-02T02:00:00.000Z');
  });

  it('steps every hour', () => {
    expect(startsAfter(windowOf('0 * * * *', HOUR, 'UTC'), '2026-05-01T22:10:00Z', 3)).toEqual([
      '2026-05-01T23:00:00.000Z',
      '2026-05-02T00:00:00.000Z',
      '2026-05-02T01:00:00.000Z',
    ]);
  });

  it('takes weekdays only at 22:00', () => {
    // Friday 2026-05-01 22:00, then Monday 2026-05-04.
    expect(startsAfter(windowOf('0 22 * * MON-FRI', HOUR, 'UTC'), '2026-05-01T12:00:00Z', 3)).toEqual([
      '2026-05-01T22:00:00.000Z',
      '2026-05-04T22:00:00.000Z',
      '2026-05-05T22:00:00.000Z',
    ]);
  });

  it('ORs restricted day-of-month and day-of-week', () => {
    // Monday 2026-03-30, then Wednesday April 1 (the 1st), then Monday April 6.
    expect(startsAfter(windowOf('0 0 1 * 1', HOUR, 'UTC'), '2026-03-30T00:00:00Z', 2)).toEqual([
      '2026-04-01T00:00:00.000Z',
      '2026-04-06T00:00:00.000Z',
    ]);
  });

  it('uses day-of-week alone when day-of-month is *', () => {
    expect(nextWindowStart(windowOf('0 0 * * 1', HOUR, 'UTC'), new Date('2026-03-30T00:00:00Z')).toISOString()).toBe(
      '2026-04-06T00:00:00.000Z',
    );
  });

  it('ANDs a stepped * day-of-month with day-of-week', () => {
    // Odd days that are Mondays: April 6 is even, April 13 is odd.
    expect(nextWindowStart(windowOf('0 0 */2 * 1', HOUR, 'UTC'), new Date('2026-03-30T00:00:00Z')).toISOString()).toBe(
      '2026-04-13T00:00:00.000Z',
    );
  });

  it('finds January 1 of the next year', () => {
    expect(nextWindowStart(windowOf('@yearly', HOUR, 'UTC'), new Date('2026-01-01T00:00:00Z')).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });

  it('finds February 29 years ahead', () => {
    const window = windowOf('0 0 29 2 *', HOUR, 'UTC');
    expect(nextWindowStart(window, new Date('2026-01-01T00:00:00Z')).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    // 2100 is not a leap year.
    expect(nextWindowStart(window, new Date('2096-03-01T00:00:00Z')).toISOString()).toBe('2104-02-29T00:00:00.000Z');
  });

  it('throws when no time matches', () => {
    // parseCron rejects February 31 itself, so build the expression by hand to reach the search bound.
    const window: MaintenanceWindow = { cron: { ...parseCron('0 0 31 * *'), months: [2] }, durationMs: HOUR, timeZone: 'UTC' };
    const action = () => nextWindowStart(window, new Date('2026-01-01T00:00:00Z'));
    expect(action).toThrow(CronError);
    expect(action).toThrow('cron "0 0 31 * *": matches no time in UTC within 8 years after 2026-01-01T00:00:00.000Z; choose days that occur');
  });

  it('lists a year of Saturdays in Berlin', () => {
    const starts = startsAfter(windowOf('0 2 * * 6', 2 * HOUR, 'Europe/Berlin'), '2025-12-31T23:00:00Z', 53);
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit', year: 'numeric' });
    const in2026 = starts.filter((start) => berlin.format(new Date(start)).startsWith('2026'));
    expect(in2026).toHaveLength(52);
    for (const start of starts) expect(berlin.format(new Date(start))).toMatch(/Sat, 02:00$/);
  });
});

describe('windowAt in UTC', () => {
  const saturdays = windowOf('0 2 * * 6', 2 * HOUR, 'UTC');

  it('is closed before the window with the next one', () => {
    expect(windowAt(saturdays, new Date('2026-05-01T10:00:00Z'))).toEqual({
      open: false,
      nextStart: new Date('2026-05-02T02:00:00Z'),
      nextEnd: new Date('2026-05-02T04:00:00Z'),
    });
  });

  it('is open from the start inclusive', () => {
    expect(windowAt(saturdays, new Date('2026-05-02T02:00:00Z'))).toEqual({
      open: true,
      start: new Date('2026-05-02T02:00:00Z'),
      end: new Date('2026-05-02T04:00:00Z'),
    });
    expect(windowAt(saturdays, new Date('2026-05-02T03:59:59.999Z')).open).toBe(true);
  });

  it('is closed at the end', () => {
    expect(windowAt(saturdays, new Date('2026-05-02T04:00:00Z'))).toEqual({
      open: false,
      nextStart: new Date('2026-05-09T02:00:00Z'),
      nextEnd: new Date('2026-05-09T04:00:00Z'),
    });
  });

  it('spans midnight', () => {
    const nightly = windowOf('0 23 * * *', 3 * HOUR, 'UTC');
    expect(windowAt(nightly, new Date('2026-05-02T01:30:00Z'))).toEqual({
      open: true,
      start: new Date('2026-05-01T23:00:00Z'),
      end: new Date('2026-05-02T02:00:00Z'),
    });
  });

  it('is always open for hourly 1h windows', () => {
    const hourly = windowOf('0 * * * *', HOUR, 'UTC');
    expect(windowAt(hourly, new Date('2026-05-01T10:20:00Z'))).toEqual({
      open: true,
      start: new Date('2026-05-01T10:00:00Z'),
      end: new Date('2026-05-01T11:00:00Z'),
    });
    expect(windowAt(hourly, new Date('2026-05-01T11:00:00Z'))).toEqual({
      open: true,
      start: new Date('2026-05-01T11:00:00Z'),
      end: new Date('2026-05-01T12:00:00Z'),
    });
  });

  it('returns the latest of overlapping windows', () => {
    const overlapping = windowOf('0 * * * *', 3 * HOUR, 'UTC');
    expect(windowAt(overlapping, new Date('2026-05-01T10:20:00Z'))).toEqual({
      open: true,
      start: new Date('2026-05-01T10:00:00Z'),
      end: new Date('2026-05-01T13:00:00Z'),
    });
  });

  it('finds a window opened days before', () => {
    const weekly = windowOf('0 2 * * 6', 7 * 24 * HOUR - 1, 'UTC');
    expect(windowAt(weekly, new Date('2026-05-09T01:59:00Z'))).toEqual({
      open: true,
      start: new Date('2026-05-02T02:00:00Z'),
      end: new Date('2026-05-09T01:59:59.999Z'),
    });
  });
});

describe('windowAt in Europe/Berlin', () => {
  it('spans local midnight on weekdays at 22:00', () => {
    const weekdays = windowOf('0 22 * * MON-FRI', 3 * HOUR, 'Europe/Berlin');
    // Saturday 00:30 CEST is inside the window of Friday 22:00 CEST.
    expect(windowAt(weekdays, new Date('2026-05-01T22:30:00Z'))).toEqual({
      open: true,
      start: new Date('2026-05-01T20:00:00Z'),
      end: new Date('2026-05-01T23:00:00Z'),
    });
    // Saturday 01:00 CEST: closed until Monday 22:00 CEST.
    expect(windowAt(weekdays, new Date('2026-05-01T23:00:00Z'))).toEqual({
      open: false,
      nextStart: new Date('2026-05-04T20:00:00Z'),
      nextEnd: new Date('2026-05-04T23:00:00Z'),
    });
  });

  it('opens Saturday 02:00 in winter and summer', () => {
    const regular = windowOf('0 2 * * 6', 2 * HOUR, 'Europe/Berlin');
    expect(nextWindowStart(regular, new Date('2026-01-05T00:00:00Z')).toISOString()).toBe('2026-01-10T01:00:00.000Z');
    expect(nextWindowStart(regular, new Date('2026-07-06T00:00:00Z')).toISOString()).toBe('2026-07-11T00:00:00.000Z');
  });
});

describe('window input checks', () => {
  it('rejects an unknown time zone', () => {
    const action = () => windowAt(windowOf('0 2 * * 6', HOUR, 'Europe/Atlantis'), new Date('2026-05-01T00:00:00Z'));
    expect(action).toThrow(TimeZoneError);
    expect(action).toThrow('time zone "Europe/Atlantis" is unknown');
  });

  it('rejects a duration that is not positive', () => {
    const action = () => windowAt(windowOf('0 2 * * 6', 0, 'UTC'), new Date('2026-05-01T00:00:00Z'));
    expect(action).toThrow('maintenance window duration 0 ms is invalid; give a positive duration such as 2h');
  });

  it('rejects an invalid Date', () => {
    const action = () => nextWindowStart(windowOf('0 2 * * 6', HOUR, 'UTC'), new Date('not a date'));
    expect(action).toThrow('after is an invalid Date; pass a Date with a time value');
  });
});
