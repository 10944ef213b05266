import type { Severity } from './cvss/index.js';

/** Days allowed to install a fix, per severity, in milliseconds. */
export type DeadlineWindows = Readonly<Record<Exclude<Severity, 'none'>, number>>;

const DAY_MS = 86_400_000;

/** The default patch windows: critical 2 days, high 7, medium 30, low 90. */
export const DEFAULT_DEADLINE_WINDOWS: DeadlineWindows = {
  critical: 2 * DAY_MS,
  high: 7 * DAY_MS,
  medium: 30 * DAY_MS,
  low: 90 * DAY_MS,
};

/**
 * Returns the severity whose window applies. A vulnerability without any score or label gets the `high`
 * window: an unrated flaw is not assumed harmless, but it does not claim the two-day window of a
 * scored critical one either. A `none` rating (CVSS 0.0) gets the `low` window.
 */
export function deadlineSeverity(severity: Severity | null): keyof DeadlineWindows {
  if (severity === null) return 'high';
  if (severity === 'none') return 'low';
  return severity;
}

export interface DeadlineInput {
  readonly severity: Severity | null;
  /** When the advisory (or catalog entry) was published; null when the record has no date. */
  readonly advisoryPublishedAt: Date | null;
  /** When the first release that fixes it was published; null when no fixing release is known. */
  readonly fixReleasedAt: Date | null;
}

export interface ComputedDeadline {
  readonly severity: keyof DeadlineWindows;
  /** The later of fix release and advisory publication: the clock starts when both a fix and the news exist. */
  readonly startsAt: Date;
  readonly dueAt: Date;
}

/**
 * Computes a patch deadline: the severity's window counted from when the fix was released or the
 * advisory published, whichever is later. Returns null while no fixing release exists, because no
 * upgrade can meet a deadline before then. When the advisory date is unknown, the fix date counts.
 */
export function computeDeadline(input: DeadlineInput, windows: DeadlineWindows = DEFAULT_DEADLINE_WINDOWS): ComputedDeadline | null {
  if (!input.fixReleasedAt) return null;
  const severity = deadlineSeverity(input.severity);
  const starts = Math.max(input.fixReleasedAt.getTime(), input.advisoryPublishedAt?.getTime() ?? 0);
  return { severity, startsAt: new Date(starts), dueAt: new Date(starts + windows[severity]) };
}

export interface DeadlineStatus {
  /** Whole days left, rounded down; negative once overdue. */
  readonly daysLeft: number;
  readonly overdue: boolean;
  /** "due in 3 days", "due today", "overdue by 2 days". */
  readonly text: string;
}

/** Describes how far `now` is from `dueAt`, in whole days. */
export function deadlineStatus(dueAt: Date, now: Date): DeadlineStatus {
  const leftMs = dueAt.getTime() - now.getTime();
  if (leftMs < 0) {
    const days = Math.floor(-leftMs / DAY_MS);
    return { daysLeft: days === 0 ? 0 : -days, overdue: true, text: days === 0 ? 'overdue since today' : `overdue by ${plural(days, 'day')}` };
  }
  const days = Math.floor(leftMs / DAY_MS);
  return { daysLeft: days, overdue: false, text: days === 0 ? 'due within a day' : `due in ${plural(days, 'day')}` };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
