import { ExitCode } from '../../cli/exit-codes.js';
import { HeadsupError } from '../../errors.js';
import { FieldSyntaxError, parseField, type FieldName } from './cron-field.js';

/**
 * A parsed five-field cron expression. Every list is sorted ascending and free of duplicates.
 *
 * A day matches when its month is in `months` and its day fields match. When both day fields are
 * restricted, either one matching is enough, and otherwise both must match. A field counts as
 * restricted unless its text starts with `*`, as in Vixie cron and cronie. So a day-of-month of
 * `*`, or of `*` with a step, combines with day-of-week by AND.
 */
export interface CronExpression {
  /** The expression as written, aliases included. */
  readonly source: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  /** 1-31. */
  readonly daysOfMonth: readonly number[];
  /** 1-12. */
  readonly months: readonly number[];
  /** 0-6 with Sunday as 0, so a written 7 is stored as 0. */
  readonly daysOfWeek: readonly number[];
  readonly dayOfMonthRestricted: boolean;
  readonly dayOfWeekRestricted: boolean;
}

const FIELD_HINT =
  'a cron expression has 5 fields: minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 0-7 or SUN-SAT (0 and 7 are Sunday)';

/** A cron expression that is invalid or never matches. The message names the expression and the field. */
export class CronError extends HeadsupError {
  readonly expression: string;

  constructor(expression: string, detail: string) {
    super('CRON_INVALID', `cron "${expression}": ${detail}`, { hint: FIELD_HINT, exitCode: ExitCode.Usage });
    this.name = 'CronError';
    this.expression = expression;
  }
}

/** The aliases of Vixie cron for a fixed five-field expression. `@reboot` is left out because it names no time. */
const ALIASES: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const FIELD_ORDER: readonly FieldName[] = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'];

/** Days in each month of a leap year, so February 29 counts as a day that occurs. */
const MAX_DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * Parses a standard five-field cron expression: minute, hour, day-of-month, month and day-of-week.
 * Each field takes `*`, numbers, lists (`1,15`), ranges (`1-5`), steps (`0-30/10`, or `*` with a step), month
 * names JAN-DEC and day names SUN-SAT in any case. Day-of-week 7 is Sunday like 0, and a range may
 * end on SUN (`FRI-SUN`). The aliases @yearly, @annually, @monthly, @weekly, @daily, @midnight
 * and @hourly are accepted. There is no seconds field.
 *
 * Throws a `CronError` naming the field and the valid range, and also when the day-of-month never
 * occurs in the listed months (such as `0 0 30 2 *`).
 */
export function parseCron(text: string): CronExpression {
  const source = text.trim();
  const expanded = ALIASES[source.toLowerCase()] ?? source;
  if (expanded.startsWith('@')) {
    throw new CronError(source, `unknown alias ${expanded}; use @yearly, @monthly, @weekly, @daily, @hourly or five fields`);
  }

  const fields = expanded === '' ? [] : expanded.split(/\s+/);
  if (fields.length !== FIELD_ORDER.length) throw new CronError(source, describeFieldCountError(fields.length));

  const [minute, hour, dayOfMonth, month, dayOfWeek] = FIELD_ORDER.map((name, index) => {
    try {
      return parseField(name, fields[index]!);
    } catch (error) {
      if (error instanceof FieldSyntaxError) throw new CronError(source, error.message);
      throw error;
    }
  }) as [number[], number[], number[], number[], number[]];

  const expression: CronExpression = {
    source,
    minutes: minute,
    hours: hour,
    daysOfMonth: dayOfMonth,
    months: month,
    daysOfWeek: dayOfWeek,
    dayOfMonthRestricted: !fields[2]!.startsWith('*'),
    dayOfWeekRestricted: !fields[4]!.startsWith('*'),
  };
  rejectImpossibleDays(expression);
  return expression;
}

function describeFieldCountError(count: number): string {
  if (count === 6) return 'found 6 fields, but seconds are not supported; remove the first field to keep minute hour day-of-month month day-of-week';
  return `found ${count} field${count === 1 ? '' : 's'}, expected 5 (minute hour day-of-month month day-of-week), such as "0 2 * * 6"`;
}

/**
 * Rejects an expression whose only day restriction is a day-of-month that no listed month has,
 * because the search for its next time would otherwise fail at run time instead of at load time.
 */
function rejectImpossibleDays(expression: CronExpression): void {
  if (expression.dayOfWeekRestricted && expression.dayOfMonthRestricted) return;

  const firstDay = expression.daysOfMonth[0]!;
  const possible = expression.months.some((month) => firstDay <= MAX_DAYS_IN_MONTH[month - 1]!);
  if (possible) return;

  const monthNames = expression.months.map((month) => MONTH_NAMES[month - 1]).join(', ');
  throw new CronError(
    expression.source,
    `day-of-month ${expression.daysOfMonth.join(',')} never occurs in ${monthNames}; choose a day that the month has`,
  );
}

/** Returns whether the calendar day matches the month and day fields; `weekday` is 0-6 with Sunday as 0. */
export function matchesDay(expression: CronExpression, month: number, dayOfMonth: number, weekday: number): boolean {
  if (!expression.months.includes(month)) return false;

  const dayOfMonthMatches = expression.daysOfMonth.includes(dayOfMonth);
  const dayOfWeekMatches = expression.daysOfWeek.includes(weekday);
  if (expression.dayOfMonthRestricted && expression.dayOfWeekRestricted) return dayOfMonthMatches || dayOfWeekMatches;
  return dayOfMonthMatches && dayOfWeekMatches;
}
