import { describe, expect, it } from 'vitest';
import { nextWindowStart, parseCron, windowAt, type MaintenanceWindow } from './index.js';

const MINUTE = 60_000;
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

// Europe/Berlin, 2026-03-29: at 01:00 UTC the clock moves from 02:00 CET (+01:00) to 03:00 CEST (+02:00).
describe('Europe/Berlin spring forward', () => {
  it('opens a skipped 02:30 at 03:00 local', () => {
    expect(startsAfter(windowOf('30 2 * * *', HOUR, 'Europe/Berlin'), '2026-03-28T12:00:00Z', 2)).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('opens once for several skipped times', () => {
    expect(startsAfter(windowOf('*/15 2 * * *', HOUR, 'Europe/Berlin'), '2026-03-28T12:00:00Z', 2)).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:00:00.000Z',
    ]);
  });

  it('merges a skipped time with 03:00', () => {
    expect(startsAfter(windowOf('0,30 2,3 * * *', HOUR, 'Europe/Berlin'), '2026-03-28T23:00:00Z', 3)).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:00:00.000Z',
    ]);
  });

  it('steps hourly over the gap', () => {
    expect(startsAfter(windowOf('0 * * * *', HOUR, 'Europe/Berlin'), '2026-03-28T23:30:00Z', 3)).toEqual([
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
    ]);
  });

  it('keeps the shifted window open for its duration', () => {
    expect(windowAt(windowOf('30 2 * * *', 2 * HOUR, 'Europe/Berlin'), new Date('2026-03-29T02:30:00Z'))).toEqual({
      open: true,
      start: new Date('2026-03-29T01:00:00Z'),
      end: new Date('2026-03-29T03:00:00Z'),
    });
  });

  it('counts duration as elapsed time', () => {
    // 01:00 CET plus 2h of elapsed time is 04:00 CEST on the wall clock.
    const window = windowOf('0 1 * * *', 2 * HOUR, 'Europe/Berlin');
    expect(windowAt(window, new Date('2026-03-29T01:59:00Z'))).toEqual({
      open: true,
      start: new Date('2026-03-29T00:00:00Z'),
      end: new Date('2026-03-29T02:00:00Z'),
    });
    expect(windowAt(window, new Date('2026-03-29T02:00:00Z')).open).toBe(false);
  });
});

// Europe/Berlin, 2026-10-25: at 01:00 UTC the clock moves from 03:00 CEST (+02:00) back to 02:00 CET (+01:00).
describe('Europe/Berlin fall back', () => {
  it('opens a repeated 02:30 once, first occurrence', () => {
    expect(startsAfter(windowOf('30 2 * * *', HOUR, 'Europe/Berlin'), '2026-10-24T12:00:00Z', 2)).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('opens hourly once in the repeated hour', () => {
    // 01:00 CEST, 02:00 CEST, then 03:00 CET; 02:00 CET (01:00 UTC) is skipped.
    expect(startsAfter(windowOf('0 * * * *', HOUR, 'Europe/Berlin'), '2026-10-24T22:30:00Z', 4)).toEqual([
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
    ]);
  });

  it('closes an hourly 1h window in the repeated hour', () => {
    expect(windowAt(windowOf('0 * * * *', HOUR, 'Europe/Berlin'), new Date('2026-10-25T01:30:00Z'))).toEqual({
      open: false,
      nextStart: new Date('2026-10-25T02:00:00Z'),
      nextEnd: new Date('2026-10-25T03:00:00Z'),
    });
  });

  it('finds a start later on the wall clock during the second pass', () => {
    // At 02:30 CET the window that opened at 02:45 CEST (00:45 UTC) is still open.
    expect(windowAt(windowOf('45 2 * * *', HOUR, 'Europe/Berlin'), new Date('2026-10-25T01:30:00Z'))).toEqual({
      open: true,
      start: new Date('2026-10-25T00:45:00Z'),
      end: new Date('2026-10-25T01:45:00Z'),
    });
  });

  it('does not reopen at the second 02:00', () => {
    expect(windowAt(windowOf('0 2 * * *', 30 * MINUTE, 'Europe/Berlin'), new Date('2026-10-25T01:10:00Z'))).toEqual({
      open: false,
      nextStart: new Date('2026-10-26T01:00:00Z'),
      nextEnd: new Date('2026-10-26T01:30:00Z'),
    });
  });

  it('counts duration as elapsed time', () => {
    // 01:30 CEST plus 2h of elapsed time is 02:30 CET on the wall clock.
    const window = windowOf('30 1 * * *', 2 * HOUR, 'Europe/Berlin');
    expect(windowAt(window, new Date('2026-10-25T01:29:00Z'))).toEqual({
      open: true,
      start: new Date('2026-10-24T23:30:00Z'),
      end: new Date('2026-10-25T01:30:00Z'),
    });
    expect(windowAt(window, new Date('2026-10-25T01:30:00Z')).open).toBe(false);
  });
});

// America/New_York, 2026-03-08: at 07:00 UTC the clock moves from 02:00 EST (-05:00) to 03:00 EDT (-04:00).
// 2026-11-01: at 06:00 UTC it moves from 02:00 EDT back to 01:00 EST, so 01:00-02:00 repeats.
describe('America/New_York changes', () => {
  it('opens a skipped 02:30 at 03:00 local', () => {
    expect(startsAfter(windowOf('30 2 * * *', HOUR, 'America/New_York'), '2026-03-07T12:00:00Z', 2)).toEqual([
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
  });

  it('opens a repeated 01:30 once, first occurrence', () => {
    expect(startsAfter(windowOf('30 1 * * *', HOUR, 'America/New_York'), '2026-10-31T12:00:00Z', 2)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('opens hourly once in the repeated hour', () => {
    expect(startsAfter(windowOf('0 * * * *', HOUR, 'America/New_York'), '2026-11-01T04:30:00Z', 3)).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T08:00:00.000Z',
    ]);
  });

  it('keeps weekdays 22:00 across the change', () => {
    // Friday 2026-10-30 22:00 EDT, then Monday 2026-11-02 22:00 EST.
    expect(startsAfter(windowOf('0 22 * * 1-5', 2 * HOUR, 'America/New_York'), '2026-10-30T12:00:00Z', 2)).toEqual([
      '2026-10-31T02:00:00.000Z',
      '2026-11-03T03:00:00.000Z',
    ]);
  });
});

// Australia/Lord_Howe moves by 30 minutes: on 2026-04-05 at 15:00 UTC (previous day) from 02:00 +11:00 back to
// 01:30 +10:30, and on 2026-10-04 at 15:30 UTC (previous day) from 02:00 +10:30 to 02:30 +11:00.
describe('Australia/Lord_Howe changes', () => {
  it('opens a repeated 01:45 once, first occurrence', () => {
    expect(startsAfter(windowOf('45 1 * * *', HOUR, 'Australia/Lord_Howe'), '2026-04-04T00:00:00Z', 2)).toEqual([
      '2026-04-04T14:45:00.000Z',
      '2026-04-05T15:15:00.000Z',
    ]);
  });

  it('opens a skipped 02:15 at 02:30 local', () => {
    expect(startsAfter(windowOf('15 2 * * *', HOUR, 'Australia/Lord_Howe'), '2026-10-03T00:00:00Z', 2)).toEqual([
      '2026-10-03T15:30:00.000Z',
      '2026-10-04T15:15:00.000Z',
    ]);
  });

  it('merges skipped half hours with 02:30', () => {
    // 02:00 is skipped and 02:30 exists, and both map to 15:30 UTC.
    expect(startsAfter(windowOf('0,30 * * * *', HOUR, 'Australia/Lord_Howe'), '2026-10-03T15:00:00Z', 2)).toEqual([
      '2026-10-03T15:30:00.000Z',
      '2026-10-03T16:00:00.000Z',
    ]);
  });
});
