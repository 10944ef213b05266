import { parseDuration } from '../../config/duration.js';
import type { Severity } from '../../judge/cvss/index.js';
import { DEFAULT_DEADLINE_WINDOWS, type DeadlineWindows } from '../../judge/deadlines.js';
import { requireVersion, type Version } from '../../judge/version.js';
import { parseCron, type CronExpression } from '../schedule/index.js';
import { parseInstant, type ApprovalLevel, type FreezeSettings, type PolicyOverride } from './schema.js';

export interface MaintenanceWindow {
  readonly name: string;
  readonly cronText: string;
  readonly cron: CronExpression;
  readonly durationMs: number;
  readonly timeZone: string;
}

export interface Freeze {
  readonly from: Date;
  /** Exclusive end: a date-only `to` covers that whole day (UTC). */
  readonly to: Date;
  readonly reason: string;
}

/** The policy in force for one instance, after merging the levels and filling in defaults. */
export interface EffectivePolicy {
  readonly channel: 'stable' | 'prerelease';
  readonly autoApprove: ApprovalLevel;
  readonly minimumReleaseAgeMs: number;
  readonly fastTrack: {
    readonly minSeverity: Exclude<Severity, 'none'>;
    /** The window fast-tracked upgrades wait for; null: any time. */
    readonly window: MaintenanceWindow | null;
    readonly autoApprove: ApprovalLevel;
  };
  readonly deadlines: DeadlineWindows;
  readonly windows: readonly MaintenanceWindow[];
  /** The window routine upgrades wait for; null: any time. */
  readonly upgradeWindow: MaintenanceWindow | null;
  readonly freezes: readonly Freeze[];
  readonly pin: Version | null;
  readonly skipVersions: readonly Version[];
}

export const POLICY_DEFAULTS = {
  channel: 'stable',
  autoApprove: 'patch',
  minimumReleaseAgeMs: 3 * 86_400_000,
  fastTrackSeverity: 'high',
} as const;

/** An override that names a window no level defines, or another inconsistency across levels. */
export class PolicyError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'PolicyError';
  }
}

export interface PolicyLayer {
  /** The config path of the layer, for messages: `policy`, `environments.production.policy`, … */
  readonly origin: string;
  readonly policy: PolicyOverride | undefined;
}

/**
 * Merges policy layers, most general first. A later layer replaces the scalars it sets and adds
 * to the maps (`windows`, `deadlines`, `fast_track`). The lists `freezes` and `skip_versions` add up
 * across layers: an instance override can add a freeze but can never drop one set above it.
 */
export function resolvePolicy(layers: readonly PolicyLayer[]): EffectivePolicy {
  const merged: Required<Omit<PolicyOverride, 'fast_track' | 'deadlines' | 'windows' | 'freezes' | 'skip_versions'>> & {
    fast_track: NonNullable<PolicyOverride['fast_track']>;
    deadlines: NonNullable<PolicyOverride['deadlines']>;
    windows: NonNullable<PolicyOverride['windows']>;
    freezes: FreezeSettings[];
    skip_versions: string[];
    upgradeWindowOrigin: string;
    upgradeWindowSet: boolean;
    fastTrackWindowOrigin: string;
  } = {
    channel: POLICY_DEFAULTS.channel,
    auto_approve: POLICY_DEFAULTS.autoApprove,
    minimum_release_age: '3d',
    fast_track: {},
    deadlines: {},
    windows: {},
    upgrade_window: null,
    freezes: [],
    pin: null,
    skip_versions: [],
    upgradeWindowOrigin: 'policy.upgrade_window',
    upgradeWindowSet: false,
    fastTrackWindowOrigin: 'policy.fast_track.window',
  };

  for (const { origin, policy } of layers) {
    if (!policy) continue;
    if (policy.channel !== undefined) merged.channel = policy.channel;
    if (policy.auto_approve !== undefined) merged.auto_approve = policy.auto_approve;
    if (policy.minimum_release_age !== undefined) merged.minimum_release_age = policy.minimum_release_age;
    if (policy.fast_track !== undefined) {
      merged.fast_track = { ...merged.fast_track, ...policy.fast_track };
      if (policy.fast_track.window !== undefined) merged.fastTrackWindowOrigin = `${origin}.fast_track.window`;
    }
    if (policy.deadlines !== undefined) merged.deadlines = { ...merged.deadlines, ...policy.deadlines };
    if (policy.windows !== undefined) merged.windows = { ...merged.windows, ...policy.windows };
    if (policy.upgrade_window !== undefined) {
      merged.upgrade_window = policy.upgrade_window;
      merged.upgradeWindowOrigin = `${origin}.upgrade_window`;
      merged.upgradeWindowSet = true;
    }
    if (policy.freezes !== undefined) merged.freezes.push(...policy.freezes);
    if (policy.pin !== undefined) merged.pin = policy.pin;
    if (policy.skip_versions !== undefined) merged.skip_versions.push(...policy.skip_versions);
  }

  const windows = Object.entries(merged.windows).map(([name, settings]): MaintenanceWindow => ({
    name,
    cronText: settings.cron,
    cron: parseCron(settings.cron),
    durationMs: parseDuration(settings.duration)!,
    timeZone: settings.timezone,
  }));
  const findWindow = (name: string | null | undefined, origin: string): MaintenanceWindow | null => {
    if (name === null || name === undefined) return null;
    const window = windows.find((candidate) => candidate.name === name);
    if (!window) {
      const known = windows.map((candidate) => candidate.name);
      throw new PolicyError(
        `${origin} names the window "${name}", which no policy level defines`,
        known.length ? `use one of: ${known.join(', ')}, or define it under policy.windows` : 'define it under policy.windows, for example regular: { cron: "0 2 * * 6", duration: 2h, timezone: Europe/Berlin }',
      );
    }
    return window;
  };

  if (windows.length > 0 && !merged.upgradeWindowSet) {
    throw new PolicyError(
      `policy.windows defines ${windows.map((window) => `"${window.name}"`).join(', ')} but policy.upgrade_window does not say which one routine upgrades wait for`,
      `set policy.upgrade_window to ${windows[0]!.name}, or to null to allow routine upgrades at any time`,
    );
  }

  const deadlines: DeadlineWindows = {
    critical: merged.deadlines.critical ? parseDuration(merged.deadlines.critical)! : DEFAULT_DEADLINE_WINDOWS.critical,
    high: merged.deadlines.high ? parseDuration(merged.deadlines.high)! : DEFAULT_DEADLINE_WINDOWS.high,
    medium: merged.deadlines.medium ? parseDuration(merged.deadlines.medium)! : DEFAULT_DEADLINE_WINDOWS.medium,
    low: merged.deadlines.low ? parseDuration(merged.deadlines.low)! : DEFAULT_DEADLINE_WINDOWS.low,
  };

  return {
    channel: merged.channel,
    autoApprove: merged.auto_approve,
    minimumReleaseAgeMs: parseDuration(merged.minimum_release_age)!,
    fastTrack: {
      minSeverity: merged.fast_track.min_severity ?? POLICY_DEFAULTS.fastTrackSeverity,
      window: findWindow(merged.fast_track.window, merged.fastTrackWindowOrigin),
      autoApprove: merged.fast_track.auto_approve ?? merged.auto_approve,
    },
    deadlines,
    windows,
    upgradeWindow: findWindow(merged.upgrade_window, merged.upgradeWindowOrigin),
    freezes: merged.freezes.map(toFreeze),
    pin: merged.pin ? requireVersion(merged.pin) : null,
    skipVersions: merged.skip_versions.map(requireVersion),
  };
}

function toFreeze(settings: FreezeSettings): Freeze {
  return { from: startOf(settings.from), to: endOf(settings.to), reason: settings.reason };
}

function startOf(value: string | Date): Date {
  return value instanceof Date ? value : parseInstant(value)!;
}

/** Converts a freeze end to an exclusive instant; a date-only end covers the whole day. */
function endOf(value: string | Date): Date {
  if (value instanceof Date) return value;
  const instant = parseInstant(value)!;
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(instant.getTime() + 86_400_000) : instant;
}
