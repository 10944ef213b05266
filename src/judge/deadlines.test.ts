import { describe, expect, it } from 'vitest';
import { computeDeadline, deadlineStatus, DEFAULT_DEADLINE_WINDOWS } from './deadlines.js';

const day = 86_400_000;
const at = (iso: string) => new Date(iso);

describe('computeDeadline', () => {
  it.each([
    ['critical', 2],
    ['high', 7],
    ['medium', 30],
    ['low', 90],
  ] as const)('gives %s the default window of %i days', (severity, days) => {
    const deadline = computeDeadline({ severity, advisoryPublishedAt: null, fixReleasedAt: at('2026-01-01T00:00:00Z') });
    expect(deadline?.dueAt.getTime()).toBe(at('2026-01-01T00:00:00Z').getTime() + days * day);
  });

  it('counts from the later of fix release and advisory publication', () => {
    const fixFirst = computeDeadline({ severity: 'high', fixReleasedAt: at('2024-09-18T00:00:00Z'), advisoryPublishedAt: at('2024-10-01T00:00:00Z') });
    expect(fixFirst?.startsAt).toEqual(at('2024-10-01T00:00:00Z'));
    expect(fixFirst?.dueAt).toEqual(at('2024-10-08T00:00:00Z'));

    const advisoryFirst = computeDeadline({ severity: 'high', fixReleasedAt: at('2025-02-01T00:00:00Z'), advisoryPublishedAt: at('2025-01-01T00:00:00Z') });
    expect(advisoryFirst?.startsAt).toEqual(at('2025-02-01T00:00:00Z'));
  });

  it('sets no deadline while no release fixes it', () => {
    expect(computeDeadline({ severity: 'critical', fixReleasedAt: null, advisoryPublishedAt: at('2025-01-01T00:00:00Z') })).toBeNull();
  });

  it('windows unrated and zero scores', () => {
    const fixReleasedAt = at('2026-01-01T00:00:00Z');
    expect(computeDeadline({ severity: null, fixReleasedAt, advisoryPublishedAt: null })?.severity).toBe('high');
    expect(computeDeadline({ severity: 'none', fixReleasedAt, advisoryPublishedAt: null })?.severity).toBe('low');
  });

  it('takes windows from the caller', () => {
    const windows = { ...DEFAULT_DEADLINE_WINDOWS, critical: 6 * 3_600_000 };
    const deadline = computeDeadline({ severity: 'critical', fixReleasedAt: at('2026-01-01T00:00:00Z'), advisoryPublishedAt: null }, windows);
    expect(deadline?.dueAt).toEqual(at('2026-01-01T06:00:00Z'));
  });
});

describe('deadlineStatus', () => {
  const due = at('2026-03-10T12:00:00Z');
  it.each([
    ['2026-03-05T12:00:00Z', 5, false, 'due in 5 days'],
    ['2026-03-09T13:00:00Z', 0, false, 'due within a day'],
    ['2026-03-09T12:00:00Z', 1, false, 'due in 1 day'],
    ['2026-03-10T18:00:00Z', 0, true, 'overdue since today'],
    ['2026-03-12T13:00:00Z', -2, true, 'overdue by 2 days'],
  ])('at %s', (now, daysLeft, overdue, text) => {
    expect(deadlineStatus(due, at(now))).toEqual({ daysLeft, overdue, text });
  });
});
