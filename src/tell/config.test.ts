import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../test/fixture/clock.js';
import { formatIssue } from '../config/errors.js';
import { ConfigError } from '../errors.js';
import { fetchHttpClient } from '../platform/http.js';
import { silentLogger } from '../platform/logger.js';
import type { Alert } from './alert.js';
import { alertsConfigSchema, buildNotifiers } from './config.js';
import { WebhookReceiver } from '../../test/fixture/webhook-receiver.js';

const deps = { http: fetchHttpClient, clock: new TestClock(), logger: silentLogger() };

/** Parses `input` and returns the formatted issues, one string each; empty when valid. */
function issues(input: unknown): string[] {
  const parsed = alertsConfigSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => formatIssue(issue, input));
}

function buildError(input: unknown, env: NodeJS.ProcessEnv): ConfigError {
  try {
    buildNotifiers(alertsConfigSchema.parse(input), env, deps);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('buildNotifiers accepted the config');
}

describe('alertsConfigSchema', () => {
  it('defaults to no targets and no reminder overrides', () => {
    expect(alertsConfigSchema.parse({})).toEqual({ alerts: [], alert_reminders: {} });
  });

  it('parses both target forms', () => {
    const settings = alertsConfigSchema.parse({
      alerts: [
        { webhook: { url_env: 'HEADSUP_WEBHOOK_URL' }, headers_env: { Authorization: 'HEADSUP_WEBHOOK_AUTH' }, kinds: ['upgrade-failed', 'deadline-overdue'], min_severity: 'warning' },
        { slack: { url: 'http://127.0.0.1:9000/hook' }, timeout: '5s', id: 'ops' },
      ],
      alert_reminders: { 'deadline-near': '12h', 'needs-person': 'off' },
    });

    expect(settings.alerts[0]).toEqual({
      webhook: { url_env: 'HEADSUP_WEBHOOK_URL' },
      headers_env: { Authorization: 'HEADSUP_WEBHOOK_AUTH' },
      kinds: ['upgrade-failed', 'deadline-overdue'],
      min_severity: 'warning',
      timeout: 10_000,
    });
    expect(settings.alerts[1]).toEqual({ slack: { url: 'http://127.0.0.1:9000/hook' }, id: 'ops', min_severity: 'info', timeout: 5_000 });
    expect(settings.alert_reminders).toEqual({ 'deadline-near': 43_200_000, 'needs-person': null });
  });

  it('rejects an unknown key in a target', () => {
    const found = issues({ alerts: [{ webhook: { url_env: 'X' }, kind: ['upgrade-failed'] }] });

    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^alerts\.0\.kind: unknown key/);
  });

  it('rejects an unknown key in the endpoint', () => {
    expect(issues({ alerts: [{ slack: { url_env: 'X', token: 'y' } }] }).join('\n')).toContain('alerts.0.slack.token: unknown key');
  });

  it('rejects headers on a Slack target', () => {
    expect(issues({ alerts: [{ slack: { url_env: 'X' }, headers_env: { Authorization: 'Y' } }] })).toEqual([
      'alerts.0.headers_env: Slack incoming webhooks take no extra headers, so remove this key (got {"Authorization":"Y"})',
    ]);
  });

  it('rejects a target of no known type', () => {
    const found = issues({ alerts: [{ teams: { url_env: 'X' } }] });

    expect(found.some((line) => line.startsWith('alerts.0.teams: unknown key'))).toBe(true);
    expect(found.some((line) => line.startsWith('alerts.0: missing the target type'))).toBe(true);
  });

  it('rejects a target with both types', () => {
    expect(issues({ alerts: [{ webhook: { url_env: 'X' }, slack: { url_env: 'Y' } }] }).join('\n')).toContain('alerts.0: give either `webhook` or `slack`');
  });

  it('requires exactly one of url and url_env', () => {
    expect(issues({ alerts: [{ webhook: {} }] }).join('\n')).toContain('alerts.0.webhook: missing `url` or `url_env`');
    expect(issues({ alerts: [{ webhook: { url: 'http://127.0.0.1/x', url_env: 'X' } }] }).join('\n')).toContain('give either `url` or `url_env`, not both');
  });

  it('rejects an unknown alert kind and severity', () => {
    const found = issues({ alerts: [{ webhook: { url_env: 'X' }, kinds: ['upgrade-exploded'], min_severity: 'high' }] }).join('\n');

    expect(found).toContain('alerts.0.kinds.0:');
    expect(found).toContain('alerts.0.min_severity:');
  });

  it('rejects an invalid reminder interval and an unknown kind in alert_reminders', () => {
    expect(issues({ alert_reminders: { 'deadline-near': 'daily' } })).toEqual(['alert_reminders.deadline-near: invalid reminder interval "daily". Write a duration such as 12h or 1d, or off']);
    expect(issues({ alert_reminders: { 'deadline-nearr': '1h' } }).join('\n')).toContain('alert_reminders.deadline-nearr: unknown key');
  });
});

describe('buildNotifiers', () => {
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
  });

  afterEach(async () => {
    await receiver.close();
  });

  it('names the key and the variable when a URL variable is unset', () => {
    const error = buildError({ alerts: [{ slack: { url_env: 'SLACK_WEBHOOK_URL' } }] }, {});

    expect(error.message).toBe('alerts.0.slack.url_env: the environment variable SLACK_WEBHOOK_URL is not set');
    expect(error.hint).toContain('set SLACK_WEBHOOK_URL');
  });

  it('names the header key and the variable when a header variable is empty', () => {
    const error = buildError({ alerts: [{ webhook: { url_env: 'HOOK' }, headers_env: { Authorization: 'HOOK_AUTH' } }] }, { HOOK: receiver.url(), HOOK_AUTH: ' ' });

    expect(error.message).toBe('alerts.0.headers_env.Authorization: the environment variable HOOK_AUTH is not set');
  });

  it('rejects a variable without a URL, without showing its value', () => {
    const error = buildError({ alerts: [{ webhook: { url_env: 'HOOK' } }] }, { HOOK: 'not-a-url-s3cret' });

    expect(error.message).toBe('alerts.0.webhook.url_env: the environment variable HOOK does not contain an http:// or https:// URL');
    expect(`${error.message}${error.hint}`).not.toContain('s3cret');
  });

  it('rejects two targets with the same id', () => {
    const error = buildError({ alerts: [{ webhook: { url_env: 'HOOK' } }, { webhook: { url_env: 'HOOK' }, kinds: ['upgrade-failed'] }] }, { HOOK: receiver.url() });

    expect(error.message).toMatch(/^alerts\.1: notifier id webhook:[0-9a-f]{12} is already used by alerts\.0$/);
  });

  it('derives stable ids that never contain the URL', () => {
    const input = { alerts: [{ webhook: { url_env: 'HOOK' } }, { slack: { url_env: 'SLACK' } }, { slack: { url_env: 'SLACK2' }, id: 'ops' }] };
    const env = { HOOK: receiver.url('/hook/s3cret'), SLACK: receiver.url('/services/T/B/s3cret'), SLACK2: receiver.url('/other') };

    const first = buildNotifiers(alertsConfigSchema.parse(input), env, deps).map((notifier) => notifier.id);
    const again = buildNotifiers(alertsConfigSchema.parse(input), env, deps).map((notifier) => notifier.id);

    expect(first).toEqual(again);
    expect(first[0]).toMatch(/^webhook:[0-9a-f]{12}$/);
    expect(first[1]).toMatch(/^slack:[0-9a-f]{12}$/);
    expect(first[2]).toBe('slack:ops');
    expect(first.join(' ')).not.toMatch(/s3cret|127\.0\.0\.1/);
  });

  it('builds notifiers that send with headers from the environment and apply the filter', async () => {
    const input = { alerts: [{ webhook: { url_env: 'HOOK' }, headers: { 'X-Team': 'ops' }, headers_env: { Authorization: 'HOOK_AUTH' }, kinds: ['upgrade-failed'] }] };
    const [notifier] = buildNotifiers(alertsConfigSchema.parse(input), { HOOK: receiver.url('/in'), HOOK_AUTH: 'Bearer abc' }, deps);
    const alert: Alert = { kind: 'upgrade-failed', key: 'k', instance: 'hs1', severity: 'critical', title: 't', text: '', facts: {}, at: new Date(0) };

    await notifier!.send(alert);

    expect(receiver.requests[0]?.path).toBe('/in');
    expect(receiver.requests[0]?.headers.authorization).toBe('Bearer abc');
    expect(receiver.requests[0]?.headers['x-team']).toBe('ops');
    expect(notifier!.accepts?.(alert)).toBe(true);
    expect(notifier!.accepts?.({ ...alert, kind: 'new-release' })).toBe(false);
  });
});
