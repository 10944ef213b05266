import { describe, expect, it } from 'vitest';
import { describeWindow, parseCron } from './index.js';

const HOUR = 3_600_000;

describe('describeWindow', () => {
  const cases: Array<{ cron: string; durationMs: number; timeZone: string; text: string }> = [
    { cron: '0 2 * * 6', durationMs: 2 * HOUR, timeZone: 'Europe/Berlin', text: 'Saturdays at 02:00 Europe/Berlin for 2h' },
    { cron: '0 2 * * SAT', durationMs: 2 * HOUR, timeZone: 'Europe/Berlin', text: 'Saturdays at 02:00 Europe/Berlin for 2h' },
    { cron: '0 * * * *', durationMs: HOUR, timeZone: 'UTC', text: 'every hour at :00 UTC for 1h' },
    { cron: '@hourly', durationMs: HOUR, timeZone: 'UTC', text: 'every hour at :00 UTC for 1h' },
    { cron: '0 22 * * MON-FRI', durationMs: 90 * 60_000, timeZone: 'America/New_York', text: 'weekdays at 22:00 America/New_York for 90m' },
    { cron: '30 3 * * *', durationMs: HOUR, timeZone: 'UTC', text: 'daily at 03:30 UTC for 1h' },
    { cron: '5 4 * * 0,6', durationMs: HOUR, timeZone: 'UTC', text: 'weekends at 04:05 UTC for 1h' },
    { cron: '0 4 * * 2,4', durationMs: HOUR, timeZone: 'UTC', text: 'Tuesdays and Thursdays at 04:00 UTC for 1h' },
    { cron: '0 4 * * 1,3,5', durationMs: HOUR, timeZone: 'UTC', text: 'Mondays, Wednesdays and Fridays at 04:00 UTC for 1h' },
    // Both day fields restricted with every day of the month listed: every day matches.
    { cron: '0 2 1-31 * 6', durationMs: HOUR, timeZone: 'UTC', text: 'daily at 02:00 UTC for 1h' },
    { cron: '0 2 1 * *', durationMs: 2 * HOUR, timeZone: 'Europe/Berlin', text: 'cron "0 2 1 * *" in Europe/Berlin for 2h' },
    { cron: '0 2,14 * * *', durationMs: HOUR, timeZone: 'UTC', text: 'cron "0 2,14 * * *" in UTC for 1h' },
    { cron: '*/15 * * * *', durationMs: HOUR, timeZone: 'UTC', text: 'cron "*/15 * * * *" in UTC for 1h' },
    { cron: '0 2 * 1-6 6', durationMs: HOUR, timeZone: 'UTC', text: 'cron "0 2 * 1-6 6" in UTC for 1h' },
    { cron: '0 2 */2 * *', durationMs: HOUR, timeZone: 'UTC', text: 'cron "0 2 */2 * *" in UTC for 1h' },
  ];

  for (const { cron, durationMs, timeZone, text } of cases) {
    it(`describes "${cron}"`, () => {
      expect(describeWindow({ cron: parseCron(cron), durationMs, timeZone })).toBe(text);
    });
  }
});
