import { z } from 'zod';
import { parseDuration } from '../../config/duration.js';
import { parseVersion } from '../../judge/version.js';
import { CronError, parseCron, validateTimeZone } from '../schedule/index.js';

/**
 * The update policy as the config writes it. Every key is optional at every level (the top-level
 * `policy:`, `environments.<name>.policy:` and `instances.<name>.policy:`), so an override names only
 * what it changes. `resolvePolicy` merges the levels and fills in the defaults. Unknown keys are
 * errors, because a misspelt key must not silently disable a freeze.
 */

const duration = z.string({ error: 'expected a duration with a unit, for example 3d or 2h' }).refine((text) => parseDuration(text) !== null, {
  error: (issue) => `invalid duration "${String(issue.input)}"; write a number and a unit: ms, s, m, h, d or w (for example 3d)`,
});

/** A window length: at least one minute, because windows open on whole minutes. */
const windowDuration = duration.refine((text) => (parseDuration(text) ?? 0) >= 60_000, {
  error: (issue) => `a window of "${String(issue.input)}" is shorter than one minute and would never be open; write for example 1h`,
});

const releaseVersion = z.string({ error: 'expected a Headscale version such as 0.28.0' }).refine((text) => parseVersion(text) !== null, {
  error: (issue) => `"${String(issue.input)}" is not a Headscale release version; write it as 0.28.0 or v0.28.0 (development builds and Go pseudo-versions are never targets)`,
});

const severity = z.enum(['low', 'medium', 'high', 'critical'], { error: 'expected low, medium, high or critical' });
const approvalLevel = z.enum(['none', 'patch', 'minor'], { error: 'expected none, patch or minor' });

/** A date (`2026-12-20`, a whole day in UTC) or a time with its offset (`2026-12-20T18:00:00+01:00`). */
const instant = z
  .union([z.string(), z.date()], { error: 'expected a date such as 2026-12-20 or a time such as 2026-12-20T18:00:00Z' })
  .refine((value) => value instanceof Date || parseInstant(value) !== null, {
    error: (issue) => `"${String(issue.input)}" is not a valid date; write 2026-12-20, or a time with its offset such as 2026-12-20T18:00:00Z`,
  });

/**
 * Parses a date (midnight UTC) or an ISO 8601 time with `Z` or an offset. Returns null for anything
 * else, including calendar dates that do not exist (2026-02-30) and times without a zone.
 */
export function parseInstant(value: string): Date | null {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (date) {
    const parsed = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value) ? parsed : null;
  }
  const time = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!time || parseInstant(time[1]!) === null) return null;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

export const windowSchema = z
  .strictObject({
    cron: z.string({ error: 'expected a cron expression such as "0 2 * * 6" (Saturdays at 02:00)' }),
    duration: windowDuration,
    timezone: z.string().default('UTC'),
  })
  .superRefine((window, context) => {
    try {
      parseCron(window.cron);
    } catch (error) {
      if (!(error instanceof CronError)) throw error;
      context.addIssue({ code: 'custom', path: ['cron'], message: error.message });
    }
    try {
      validateTimeZone(window.timezone);
    } catch (error) {
      context.addIssue({ code: 'custom', path: ['timezone'], message: `${(error as Error).message}; use an IANA name such as Europe/Berlin, America/New_York or UTC` });
    }
  });

export const freezeSchema = z
  .strictObject({
    from: instant,
    to: instant,
    reason: z.string({ error: 'say why, for example "year-end change freeze"' }).min(1, 'say why, for example "year-end change freeze"'),
  })
  .superRefine((freeze, context) => {
    const from = freeze.from instanceof Date ? freeze.from : parseInstant(freeze.from);
    const to = freeze.to instanceof Date ? freeze.to : parseInstant(freeze.to);
    if (from && to && to.getTime() < from.getTime()) {
      // A reversed freeze would silently freeze nothing.
      context.addIssue({ code: 'custom', path: ['to'], message: `the freeze ends (${String(freeze.to)}) before it starts (${String(freeze.from)}); swap from and to` });
    }
  });

export const policyOverrideSchema = z.strictObject({
  channel: z.enum(['stable', 'prerelease'], { error: 'expected stable or prerelease' }).optional(),
  auto_approve: approvalLevel.optional(),
  minimum_release_age: duration.optional(),
  fast_track: z
    .strictObject({
      min_severity: severity.optional(),
      window: z.string().min(1).nullable().optional(),
      auto_approve: approvalLevel.optional(),
    })
    .optional(),
  deadlines: z
    .strictObject({ critical: duration.optional(), high: duration.optional(), medium: duration.optional(), low: duration.optional() })
    .optional(),
  windows: z.record(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, 'window names use letters, digits, "_" and "-"'), windowSchema).optional(),
  upgrade_window: z.string().min(1).nullable().optional(),
  freezes: z.array(freezeSchema).optional(),
  pin: releaseVersion.nullable().optional(),
  skip_versions: z.array(releaseVersion).optional(),
});

export type PolicyOverride = z.output<typeof policyOverrideSchema>;
export type WindowSettings = z.output<typeof windowSchema>;
export type FreezeSettings = z.output<typeof freezeSchema>;
export type ApprovalLevel = z.output<typeof approvalLevel>;
