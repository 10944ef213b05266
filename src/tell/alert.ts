/** Every kind of alert headsup sends, in the order the config documentation lists them. */
export const ALERT_KINDS = [
  'new-release',
  'new-advisory',
  'deadline-near',
  'deadline-overdue',
  'upgrade-started',
  'upgrade-succeeded',
  'upgrade-failed',
  'upgrade-rolled-back',
  'channel-stale',
  'needs-person',
] as const;

export type AlertKind = (typeof ALERT_KINDS)[number];

/** Severities from lowest to highest; `min_severity` in the config keeps this order. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;

export type Severity = (typeof SEVERITIES)[number];

/** A message for people about something headsup saw or did. */
export interface Alert {
  kind: AlertKind;
  /**
   * De-duplication key: an alert whose key a notifier already delivered is not sent there again,
   * except as a reminder. Examples: `new-release:v0.29.2`, `deadline-near:hs-prod-1:GHSA-wp76-cf2j-rqq7`.
   */
  key: string;
  /** The Headscale instance the alert is about; null for alerts about headsup or a release. */
  instance: string | null;
  severity: Severity;
  /** One line, shown as the heading. */
  title: string;
  /** A few sentences: what happened and what to do. */
  text: string;
  /** Details shown as name and value pairs, in insertion order. */
  facts: Record<string, string | number | null>;
  at: Date;
}

/** Compares two severities: negative when `a` is lower than `b`, 0 when equal. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);
}

/** The alerts a notifier accepts: some kinds (all when null) at or above a severity. */
export interface AlertFilter {
  kinds: readonly AlertKind[] | null;
  minSeverity: Severity;
}

export const ACCEPT_ALL: AlertFilter = { kinds: null, minSeverity: 'info' };

export function matchesFilter(alert: Alert, filter: AlertFilter): boolean {
  if (filter.kinds !== null && !filter.kinds.includes(alert.kind)) return false;
  return compareSeverity(alert.severity, filter.minSeverity) >= 0;
}
