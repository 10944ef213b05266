import { describe, expect, it } from 'vitest';
import { CronError, parseCron } from './index.js';

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, but none was thrown');
}

const ALL_MINUTES = Array.from({ length: 60 }, (_, index) => index);
const ALL_HOURS = Array.from({ length: 24 }, (_, index) => index);
const ALL_DAYS_OF_MONTH = Array.from({ length: 31 }, (_, index) => index + 1);
const ALL_MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const ALL_DAYS_OF_WEEK = [0, 1, 2, 3, 4, 5, 6];

describe('parseCron fields', () => {
  const cases: Array<{ text: string; field: 'minutes' | 'hours' | 'daysOfMonth' | 'months' | 'daysOfWeek'; values: number[] }> = [
    { text: '0 2 * * 6', field: 'minutes', values: [0] },
    { text: '0 2 * * 6', field: 'hours', values: [2] },
    { text: '0 2 * * 6', field: 'daysOfWeek', values: [6] },
    { text: '* * * * *', field: 'minutes', values: ALL_MINUTES },
    { text: '* * * * *', field: 'hours', values: ALL_HOURS },
    { text: '* * * * *', field: 'daysOfMonth', values: ALL_DAYS_OF_MONTH },
    { text: '* * * * *', field: 'months', values: ALL_MONTHS },
    { text: '* * * * *', field: 'daysOfWeek', values: ALL_DAYS_OF_WEEK },
    { text: '*/15 * * * *', field: 'minutes', values: [0, 15, 30, 45] },
    { text: '0 8-18/4 * * *', field: 'hours', values: [8, 12, 16] },
    { text: '5,1,3,1 * * * *', field: 'minutes', values: [1, 3, 5] },
    { text: '0-4,50-59/3 * * * *', field: 'minutes', values: [0, 1, 2, 3, 4, 50, 53, 56, 59] },
    { text: '0 0 1,15 * *', field: 'daysOfMonth', values: [1, 15] },
    { text: '0 0 */10 * *', field: 'daysOfMonth', values: [1, 11, 21, 31] },
    { text: '0 0 1 jan,Jul,DEC *', field: 'months', values: [1, 7, 12] },
    { text: '0 0 1 MAR-may *', field: 'months', values: [3, 4, 5] },
    { text: '0 0 1 */3 *', field: 'months', values: [1, 4, 7, 10] },
    { text: '0 22 * * MON-FRI', field: 'daysOfWeek', values: [1, 2, 3, 4, 5] },
    { text: '0 22 * * 1-5', field: 'daysOfWeek', values: [1, 2, 3, 4, 5] },
    { text: '0 0 * * 7', field: 'daysOfWeek', values: [0] },
    { text: '0 0 * * 0,7', field: 'daysOfWeek', values: [0] },
    { text: '0 0 * * 5-7', field: 'daysOfWeek', values: [0, 5, 6] },
    { text: '0 0 * * fri-sun', field: 'daysOfWeek', values: [0, 5, 6] },
    { text: '0 0 * * sat,Sun', field: 'daysOfWeek', values: [0, 6] },
    { text: '0 0 * * */2', field: 'daysOfWeek', values: [0, 2, 4, 6] },
    { text: '0 0 * * 0-7', field: 'daysOfWeek', values: ALL_DAYS_OF_WEEK },
    { text: '  0   2  *  *  6 ', field: 'hours', values: [2] },
  ];

  for (const { text, field, values } of cases) {
    it(`reads ${field} of "${text}"`, () => {
      expect(parseCron(text)[field]).toEqual(values);
    });
  }
});

describe('parseCron day restriction', () => {
  const cases: Array<{ text: string; dayOfMonth: boolean; dayOfWeek: boolean }> = [
    { text: '0 0 * * *', dayOfMonth: false, dayOfWeek: false },
    { text: '0 0 13 * 5', dayOfMonth: true, dayOfWeek: true },
    { text: '0 0 13 * *', dayOfMonth: true, dayOfWeek: false },
    { text: '0 0 * * 5', dayOfMonth: false, dayOfWeek: true },
    // A field starting with * counts as unrestricted even with a step, as in Vixie cron and cronie.
    { text: '0 0 */2 * 5', dayOfMonth: false, dayOfWeek: true },
    { text: '0 0 1-31 * */2', dayOfMonth: true, dayOfWeek: false },
  ];

  for (const { text, dayOfMonth, dayOfWeek } of cases) {
    it(`flags "${text}"`, () => {
      const expression = parseCron(text);
      expect(expression.dayOfMonthRestricted).toBe(dayOfMonth);
      expect(expression.dayOfWeekRestricted).toBe(dayOfWeek);
    });
  }
});

describe('parseCron aliases', () => {
  const cases: Array<[string, string]> = [
    ['@yearly', '0 0 1 1 *'],
    ['@annually', '0 0 1 1 *'],
    ['@monthly', '0 0 1 * *'],
    ['@weekly', '0 0 * * 0'],
    ['@daily', '0 0 * * *'],
    ['@midnight', '0 0 * * *'],
    ['@HOURLY', '0 * * * *'],
  ];

  for (const [alias, expanded] of cases) {
    it(`expands ${alias}`, () => {
      const { source, ...fields } = parseCron(alias);
      const { source: _expandedSource, ...expected } = parseCron(expanded);
      expect(source).toBe(alias);
      expect(fields).toEqual(expected);
    });
  }
});

describe('parseCron errors', () => {
  const cases: Array<[string, string]> = [
    ['0 25 * * 6', 'cron "0 25 * * 6": hour 25 is out of range 0-23'],
    ['60 * * * *', 'cron "60 * * * *": minute 60 is out of range 0-59'],
    ['0 0 0 * *', 'cron "0 0 0 * *": day-of-month 0 is out of range 1-31'],
    ['0 0 32 * *', 'cron "0 0 32 * *": day-of-month 32 is out of range 1-31'],
    ['0 0 1 13 *', 'cron "0 0 1 13 *": month 13 is out of range 1-12'],
    ['0 0 * * 8', 'cron "0 0 * * 8": day-of-week 8 is out of range 0-7'],
    ['0 2 * *', 'cron "0 2 * *": found 4 fields, expected 5 (minute hour day-of-month month day-of-week), such as "0 2 * * 6"'],
    ['', 'cron "": found 0 fields, expected 5 (minute hour day-of-month month day-of-week), such as "0 2 * * 6"'],
    ['0 0 2 * * 6', 'cron "0 0 2 * * 6": found 6 fields, but seconds are not supported; remove the first field to keep minute hour day-of-month month day-of-week'],
    ['0 0 * * SATURDAY', 'cron "0 0 * * SATURDAY": day-of-week "SATURDAY" is not a number 0-7 or a day name SUN-SAT'],
    ['0 0 1 JANUARY *', 'cron "0 0 1 JANUARY *": month "JANUARY" is not a number 1-12 or a month name JAN-DEC'],
    ['0 MON * * *', 'cron "0 MON * * *": hour "MON" is not a number 0-23'],
    ['1.5 * * * *', 'cron "1.5 * * * *": minute "1.5" is not a number 0-59'],
    ['-1 * * * *', 'cron "-1 * * * *": minute "-1" is not a range; write a range as "first-last", such as "1-5"'],
    ['0 5-2 * * *', 'cron "0 5-2 * * *": hour range "5-2" runs backwards; write the smaller value first, or list the values with commas'],
    ['0 0 * * SAT-MON', 'cron "0 0 * * SAT-MON": day-of-week range "SAT-MON" runs backwards; write the smaller value first, or list the values with commas'],
    ['0 1-2-3 * * *', 'cron "0 1-2-3 * * *": hour "1-2-3" is not a range; write a range as "first-last", such as "1-5"'],
    ['*/0 * * * *', 'cron "*/0 * * * *": minute step "0" is invalid; use a whole number from 1 to 59'],
    ['*/60 * * * *', 'cron "*/60 * * * *": minute step "60" is invalid; use a whole number from 1 to 59'],
    ['0 */x * * *', 'cron "0 */x * * *": hour step "x" is invalid; use a whole number from 1 to 23'],
    ['0 0 * * */7', 'cron "0 0 * * */7": day-of-week step "7" is invalid; use a whole number from 1 to 6'],
    ['5/10 * * * *', 'cron "5/10 * * * *": minute "5/10" has a step without a range; write "*/10" or "5-59/10"'],
    ['*/5/2 * * * *', 'cron "*/5/2 * * * *": minute "*/5/2" has more than one "/"; write a single step such as "*/5"'],
    ['1,,2 * * * *', 'cron "1,,2 * * * *": minute "1,,2" has an empty list item; separate values with single commas'],
    ['@reboot', 'cron "@reboot": unknown alias @reboot; use @yearly, @monthly, @weekly, @daily, @hourly or five fields'],
    ['0 0 30 2 *', 'cron "0 0 30 2 *": day-of-month 30 never occurs in February; choose a day that the month has'],
    ['0 0 31 4,6,9,11 *', 'cron "0 0 31 4,6,9,11 *": day-of-month 31 never occurs in April, June, September, November; choose a day that the month has'],
    ['0 0 30,31 FEB *', 'cron "0 0 30,31 FEB *": day-of-month 30,31 never occurs in February; choose a day that the month has'],
  ];

  for (const [text, message] of cases) {
    it(`rejects "${text}"`, () => {
      expect(errorOf(() => parseCron(text))).toBeInstanceOf(CronError);
      expect(errorOf(() => parseCron(text)).message).toBe(message);
    });
  }

  it('carries code, expression and hint', () => {
    const error = errorOf(() => parseCron('0 25 * * 6')) as CronError;
    expect(error.code).toBe('CRON_INVALID');
    expect(error.expression).toBe('0 25 * * 6');
    expect(error.hint).toContain('hour 0-23');
  });
});

describe('parseCron possible days', () => {
  it('accepts February 29', () => {
    expect(parseCron('0 0 29 2 *').daysOfMonth).toEqual([29]);
  });

  it('accepts day 31 when one month has it', () => {
    expect(parseCron('0 0 31 4,5 *').months).toEqual([4, 5]);
  });

  it('accepts February 30 ORed with a weekday', () => {
    // Both day fields are restricted, so every Monday in February matches.
    expect(parseCron('0 0 30 2 1').daysOfWeek).toEqual([1]);
  });
});
