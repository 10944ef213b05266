import { describe, expect, it } from 'vitest';
import { formatVersion, requireVersion } from '../../judge/version.js';
import type { Release } from '../../watch/release.js';
import type { AssessedVulnerability } from '../vulnerabilities.js';
import { changeLevel, planInstance, type Approval } from './decide.js';
import { resolvePolicy, PolicyError } from './resolve.js';
import { policyOverrideSchema, type PolicyOverride } from './schema.js';

const release = (tag: string, published: string): Release => ({
  version: requireVersion(tag),
  tag: `v${tag}`,
  publishedAt: new Date(published),
  prerelease: requireVersion(tag).prerelease !== null,
  body: '',
  htmlUrl: null,
  assets: [],
});

/** A small history: 0.27.1 and 0.28.0 are old; 0.28.1 came out on Tuesday 2026-12-01; 0.29.0-rc.1 the day after. */
const RELEASES = [
  release('0.26.1', '2025-06-06T10:00:00Z'),
  release('0.27.0', '2025-10-01T10:00:00Z'),
  release('0.27.1', '2025-11-01T10:00:00Z'),
  release('0.28.0', '2026-02-01T10:00:00Z'),
  release('0.28.1', '2026-12-01T10:00:00Z'),
  release('0.29.0-rc.1', '2026-12-02T10:00:00Z'),
];

const policyOf = (...layers: PolicyOverride[]) => resolvePolicy(layers.map((policy, index) => ({ origin: index === 0 ? 'policy' : `layer${index}`, policy: policyOverrideSchema.parse(policy) })));

const vulnerability = (severity: AssessedVulnerability['severity'], fixedIn: string): AssessedVulnerability => ({
  id: 'GHSA-test-test-test',
  displayId: 'GHSA-test-test-test',
  aliases: [],
  summary: null,
  severity,
  vectors: [],
  fixedIn: requireVersion(fixedIn),
  deadline: { severity: severity ?? 'high', startsAt: new Date('2026-12-01T10:00:00Z'), dueAt: new Date('2026-12-08T10:00:00Z'), status: { daysLeft: 5, overdue: false, text: 'due in 5 days' } },
});

const SATURDAY_WINDOW = { windows: { regular: { cron: '0 2 * * 6', duration: '2h', timezone: 'Europe/Berlin' }, emergency: { cron: '0 * * * *', duration: '1h', timezone: 'UTC' } }, upgrade_window: 'regular' };

function plan(current: string, overrides: PolicyOverride, now: string, options: { vulnerabilities?: AssessedVulnerability[]; approvals?: Approval[] } = {}) {
  return planInstance({ current: requireVersion(current), releases: RELEASES, vulnerabilities: options.vulnerabilities ?? [], policy: policyOf(overrides), approvals: options.approvals ?? [], now: new Date(now) });
}

describe('planInstance', () => {
  it('waits for Saturday\'s window with an approved patch, and applies it inside the window', () => {
    // Friday 2026-12-04: 0.28.1 is three days old.
    const friday = plan('0.28.0', SATURDAY_WINDOW, '2026-12-04T12:00:00Z');
    expect(friday.action).toBe('wait-window');
    expect(formatVersion(friday.target!)).toBe('0.28.1');
    // Saturday 02:00 in Berlin is 01:00 UTC in winter.
    expect(friday.notBefore).toEqual(new Date('2026-12-05T01:00:00Z'));
    expect(friday.reason).toContain('waiting for the regular window');

    const saturday = plan('0.28.0', SATURDAY_WINDOW, '2026-12-05T01:30:00Z');
    expect(saturday.action).toBe('apply');
    expect(saturday.path.map((hop) => formatVersion(hop.to))).toEqual(['0.28.1']);
  });

  it('holds a young release until its age', () => {
    const result = plan('0.28.0', {}, '2026-12-02T10:00:00Z');
    expect(result.action).toBe('held');
    expect(result.notBefore).toEqual(new Date('2026-12-04T10:00:00Z'));
    expect(result.reason).toBe('0.28.1 was released 24 hours ago; the minimum release age is 3 days, so it is allowed from 2026-12-04 10:00 UTC');
  });

  it('takes the newest old-enough release and lists the younger one as held back', () => {
    const result = plan('0.27.1', { auto_approve: 'minor' }, '2026-12-02T10:00:00Z');
    expect(result.action).toBe('apply');
    expect(formatVersion(result.target!)).toBe('0.28.0');
    expect(result.heldBack.map((item) => item.version)).toEqual(['0.28.1']);
  });

  it('fast-tracks a young release that fixes a high-severity vulnerability into the emergency window', () => {
    const overrides = { ...SATURDAY_WINDOW, fast_track: { min_severity: 'high' as const, window: 'emergency' } };
    const result = plan('0.28.0', overrides, '2026-12-01T12:30:00Z', { vulnerabilities: [vulnerability('high', '0.28.1')] });
    expect(result.action).toBe('apply');
    expect(formatVersion(result.target!)).toBe('0.28.1');
    expect(result.fastTrack?.deadline).toBe('due in 5 days');
    expect(result.window?.name).toBe('emergency');
    expect(result.reason).toContain('fast-tracked: fixes GHSA-test-test-test (high, due in 5 days)');
  });

  it('does not fast-track below the chosen severity', () => {
    const result = plan('0.28.0', { fast_track: { min_severity: 'critical' } }, '2026-12-01T12:30:00Z', { vulnerabilities: [vulnerability('high', '0.28.1')] });
    expect(result.action).toBe('held');
  });

  it('counts an unrated vulnerability as high for the fast track', () => {
    const result = plan('0.28.0', {}, '2026-12-01T12:30:00Z', { vulnerabilities: [vulnerability(null, '0.28.1')] });
    expect(result.action).toBe('apply');
  });

  it('blocks everything during a freeze, fast-tracked fixes included', () => {
    const frozen = { freezes: [{ from: '2026-11-30', to: '2026-12-06', reason: 'year-end' }] };
    const result = plan('0.28.0', frozen, '2026-12-04T12:00:00Z', { vulnerabilities: [vulnerability('critical', '0.28.1')] });
    expect(result.action).toBe('frozen');
    expect(result.notBefore).toEqual(new Date('2026-12-07T00:00:00Z'));
    expect(result.reason).toMatch(/^frozen until 2026-12-07 00:00 UTC \(year-end\)/);

    expect(plan('0.28.0', frozen, '2026-12-07T00:00:00Z').action).toBe('apply');
  });

  it('needs an exact-version approval above the level', () => {
    const result = plan('0.27.1', { auto_approve: 'patch' }, '2026-12-10T00:00:00Z');
    expect(result.action).toBe('needs-approval');
    expect(formatVersion(result.target!)).toBe('0.28.1');
    expect(result.reason).toContain('headsup approve <instance> 0.28.1');

    const approvals = [{ version: requireVersion('0.28.1'), by: 'ops', at: new Date('2026-12-09T00:00:00Z'), reason: 'tested in staging' }];
    const approved = plan('0.27.1', { auto_approve: 'patch' }, '2026-12-10T00:00:00Z', { approvals });
    expect(approved.action).toBe('apply');
    expect(approved.path.map((hop) => formatVersion(hop.to))).toEqual(['0.28.1']);

    const stale = [{ ...approvals[0]!, version: requireVersion('0.28.0') }];
    expect(plan('0.27.1', { auto_approve: 'patch' }, '2026-12-10T00:00:00Z', { approvals: stale }).action).toBe('needs-approval');
    expect(plan('0.28.0', { auto_approve: 'none' }, '2026-12-10T00:00:00Z').action).toBe('needs-approval');
  });

  it('walks one minor series at a time', () => {
    const long = [release('0.24.3', '2025-02-01T00:00:00Z'), release('0.25.0', '2025-02-10T00:00:00Z'), release('0.25.1', '2025-02-20T00:00:00Z'), ...RELEASES];
    const result = planInstance({ current: requireVersion('0.24.3'), releases: long, vulnerabilities: [], policy: policyOf({ auto_approve: 'minor' }), approvals: [], now: new Date('2026-12-10T00:00:00Z') });
    expect(result.path.map((hop) => formatVersion(hop.to))).toEqual(['0.25.1', '0.26.1', '0.27.1', '0.28.1']);
  });

  it('honours the pin, skipped versions and the prerelease channel', () => {
    const pinned = plan('0.27.0', { auto_approve: 'minor', pin: '0.28.0' }, '2026-12-10T00:00:00Z');
    expect(formatVersion(pinned.target!)).toBe('0.28.0');
    expect(pinned.heldBack).toContainEqual({ version: '0.28.1', why: 'above the pinned version 0.28.0' });

    const skipping = plan('0.27.0', { auto_approve: 'minor', skip_versions: ['0.27.1', '0.28.1'] }, '2026-12-10T00:00:00Z');
    expect(skipping.path.map((hop) => formatVersion(hop.to))).toEqual(['0.28.0']);

    expect(plan('0.28.1', {}, '2026-12-10T00:00:00Z').action).toBe('up-to-date');
    const pre = plan('0.28.1', { channel: 'prerelease', auto_approve: 'minor' }, '2026-12-10T00:00:00Z');
    expect(formatVersion(pre.target!)).toBe('0.29.0-rc.1');
  });

  it('opens a skipped DST time after the gap', () => {
    // 2026-03-29 02:30 does not exist in Berlin: clocks jump from 02:00 CET to 03:00 CEST (01:00 UTC).
    const dst = { windows: { night: { cron: '30 2 * * 0', duration: '1h', timezone: 'Europe/Berlin' } }, upgrade_window: 'night', auto_approve: 'minor' as const };
    const before = plan('0.27.1', dst, '2026-03-29T00:30:00Z');
    expect(before.action).toBe('wait-window');
    expect(formatVersion(before.target!)).toBe('0.28.0');
    expect(before.notBefore).toEqual(new Date('2026-03-29T01:00:00Z'));
    expect(plan('0.27.1', dst, '2026-03-29T01:30:00Z').action).toBe('apply');
    // A week later, summer time: 02:30 CEST is 00:30 UTC.
    expect(plan('0.27.1', dst, '2026-04-04T12:00:00Z').notBefore).toEqual(new Date('2026-04-05T00:30:00Z'));
  });

  it('ignores releases published after the time it evaluates', () => {
    expect(plan('0.28.0', {}, '2026-06-01T00:00:00Z').action).toBe('up-to-date');
  });

  it('reports a missing minor series as blocked', () => {
    const gap = RELEASES.filter((item) => !item.tag.startsWith('v0.27'));
    const result = planInstance({ current: requireVersion('0.26.1'), releases: gap, vulnerabilities: [], policy: policyOf({ auto_approve: 'minor' }), approvals: [], now: new Date('2026-12-10T00:00:00Z') });
    expect(result.action).toBe('blocked');
    expect(result.reason).toContain('0.27');
  });
});

describe('resolvePolicy', () => {
  it('lets later levels override scalars and add freezes and skipped versions', () => {
    const policy = resolvePolicy([
      { origin: 'policy', policy: policyOverrideSchema.parse({ auto_approve: 'minor', freezes: [{ from: '2026-12-20', to: '2027-01-04', reason: 'year-end' }], skip_versions: ['0.27.0'] }) },
      { origin: 'environments.staging.policy', policy: policyOverrideSchema.parse({ minimum_release_age: '1d' }) },
      { origin: 'instances.hs1.policy', policy: policyOverrideSchema.parse({ auto_approve: 'patch', freezes: [{ from: '2026-12-10', to: '2026-12-11', reason: 'audit' }], skip_versions: ['0.28.1'] }) },
    ]);
    expect(policy.autoApprove).toBe('patch');
    expect(policy.minimumReleaseAgeMs).toBe(86_400_000);
    expect(policy.freezes.map((freeze) => freeze.reason)).toEqual(['year-end', 'audit']);
    expect(policy.skipVersions.map(formatVersion)).toEqual(['0.27.0', '0.28.1']);
  });

  it('names the level of a bad window', () => {
    const resolve = () => resolvePolicy([{ origin: 'instances.hs1.policy', policy: policyOverrideSchema.parse({ upgrade_window: 'weekend' }) }]);
    expect(resolve).toThrow(PolicyError);
    expect(resolve).toThrow('instances.hs1.policy.upgrade_window names the window "weekend", which no policy level defines');
    expect(() => policyOf({ windows: SATURDAY_WINDOW.windows })).toThrow(/does not say which one routine upgrades wait for/);
  });

  it.each([
    [{ auto_approve: 'major' }, 'auto_approve', 'expected none, patch or minor'],
    [{ minimum_release_age: '3 days' }, 'minimum_release_age', 'invalid duration "3 days"'],
    [{ windows: { regular: { cron: '0 25 * * 6', duration: '2h' } } }, 'windows.regular.cron', 'hour'],
    [{ windows: { regular: { cron: '0 2 * * 6', duration: '2h', timezone: 'Berlin' } } }, 'windows.regular.timezone', 'Berlin'],
    [{ freezes: [{ from: '2026-12-20', to: '2027-01-04' }] }, 'freezes.0.reason', 'say why'],
    [{ pin: '0.28.0-dev' }, 'pin', 'not a Headscale release version'],
    [{ skip_versions: ['v0.22.4-0.20231210-abcdef'] }, 'skip_versions.0', 'pseudo-versions'],
    [{ freeze: [] }, '', 'freeze'],
  ])('rejects %j at %s', (input, path, message) => {
    const result = policyOverrideSchema.safeParse(input);
    expect(result.success).toBe(false);
    const issue = result.error!.issues[0]!;
    expect(issue.path.join('.')).toBe(path);
    expect(issue.message + JSON.stringify(issue)).toContain(message);
  });
});

describe('changeLevel', () => {
  it.each([
    ['0.28.0', '0.28.1', 'patch'],
    ['0.27.1', '0.28.0', 'minor'],
    ['0.29.2', '1.0.0', 'minor'],
    ['1.2.0', '2.0.0', 'major'],
  ] as const)('%s → %s is %s', (from, to, level) => {
    expect(changeLevel(requireVersion(from), requireVersion(to))).toBe(level);
  });
});
