import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { ConfigError } from '../errors.js';
import { ALERT_KINDS, SEVERITIES, type AlertFilter } from './alert.js';
import { DEFAULT_NOTIFY_TIMEOUT_MS, type Notifier, type NotifierDeps } from './notifier.js';
import { SlackNotifier } from './slack/index.js';
import { WebhookNotifier } from './webhook/index.js';

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL, for example http://127.0.0.1:9000/hook' });

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable, for example HEADSUP_WEBHOOK_URL');

const duration = z.string({ error: 'expected a duration with a unit, for example 10s or 24h' }).transform((text, context) => {
  const ms = parseDuration(text);
  if (ms === null) {
    context.addIssue({ code: 'custom', message: `invalid duration "${text}". Write a number and a unit: ms, s, m, h, d or w (for example 10s or 24h)` });
    return z.NEVER;
  }
  return ms;
});

/** Parses a reminder interval: a duration, or `off` for no reminders (null). */
const reminder = z.string({ error: 'expected a duration such as 24h, or off' }).transform((text, context) => {
  if (text.trim() === 'off') return null;
  const ms = parseDuration(text);
  if (ms === null) {
    context.addIssue({ code: 'custom', message: `invalid reminder interval "${text}". Write a duration such as 12h or 1d, or off` });
    return z.NEVER;
  }
  return ms;
});

/** The destination of a target: the URL itself, or the environment variable that contains it. */
const endpoint = z
  .strictObject({
    url: httpUrl.optional(),
    url_env: envName.optional(),
  })
  .superRefine((value, context) => {
    if (value.url !== undefined && value.url_env !== undefined) context.addIssue({ code: 'custom', message: 'give either `url` or `url_env`, not both' });
    if (value.url === undefined && value.url_env === undefined) context.addIssue({ code: 'custom', message: 'missing `url` or `url_env`. Give one of them' });
  });

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name, for example Authorization');

const targetOptions = {
  /** Replaces the hash of the URL in the notifier id, so the URL can change without sending every alert again. */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'ids use letters, digits, ".", "_" and "-"').optional(),
  kinds: z.array(z.enum(ALERT_KINDS)).min(1, 'list at least one alert kind, or leave `kinds` out for all').optional(),
  min_severity: z.enum(SEVERITIES).default('info'),
  timeout: duration.default(DEFAULT_NOTIFY_TIMEOUT_MS),
};

/**
 * One target: `webhook:` (with optional `headers` and `headers_env`) or `slack:`. It is one object
 * rather than a union of two, so that an invalid value reports its own key path instead of
 * "matches neither form".
 */
const target = z
  .strictObject({
    webhook: endpoint.optional(),
    slack: endpoint.optional(),
    /** Headers sent as written; put secrets in `headers_env`. Webhook targets only. */
    headers: z.record(headerName, z.string()).optional(),
    /** Headers whose value is read from an environment variable, such as `Authorization: HEADSUP_WEBHOOK_AUTH`. Webhook targets only. */
    headers_env: z.record(headerName, envName).optional(),
    ...targetOptions,
  })
  .superRefine((value, context) => {
    if (value.webhook === undefined && value.slack === undefined) {
      context.addIssue({ code: 'custom', message: 'missing the target type. Give `webhook: { url_env: VARIABLE }` or `slack: { url_env: VARIABLE }`' });
    }
    if (value.webhook !== undefined && value.slack !== undefined) {
      context.addIssue({ code: 'custom', message: 'give either `webhook` or `slack` in one target, and list a second target for the other' });
    }
    if (value.slack !== undefined) {
      for (const key of ['headers', 'headers_env'] as const) {
        if (value[key] !== undefined) context.addIssue({ code: 'custom', path: [key], message: 'Slack incoming webhooks take no extra headers, so remove this key' });
      }
    }
  });

const reminders = z.strictObject({
  'new-release': reminder.optional(),
  'new-advisory': reminder.optional(),
  'deadline-near': reminder.optional(),
  'deadline-overdue': reminder.optional(),
  'upgrade-started': reminder.optional(),
  'upgrade-succeeded': reminder.optional(),
  'upgrade-failed': reminder.optional(),
  'upgrade-rolled-back': reminder.optional(),
  'channel-stale': reminder.optional(),
  'needs-person': reminder.optional(),
});

/**
 * The config keys of alerting, both top level: `alerts`, the list of targets, and
 * `alert_reminders`, how often an alert still in effect is sent again per kind (DEFAULT_REMINDERS
 * for the kinds left out). Merge into the config schema with `...alertsConfigSchema.shape`.
 */
export const alertsConfigSchema = z.strictObject({
  alerts: z.array(target).default([]),
  alert_reminders: reminders.prefault({}),
});

export type AlertsSettings = z.output<typeof alertsConfigSchema>;
type TargetSettings = AlertsSettings['alerts'][number];

/**
 * Builds one notifier per target, reading URLs and header values from `env`. Throws ConfigError
 * naming the config key and the variable when a variable is unset or empty, or when it does not
 * contain an http(s) URL; the message never contains the value.
 */
export function buildNotifiers(settings: AlertsSettings, env: NodeJS.ProcessEnv, deps: Omit<NotifierDeps, 'timeoutMs'>): Notifier[] {
  const notifiers: Notifier[] = [];
  const keyOfId = new Map<string, string>();

  settings.alerts.forEach((target, index) => {
    const key = `alerts.${index}`;
    const notifier = buildNotifier(target, key, env, deps);

    const other = keyOfId.get(notifier.id);
    if (other !== undefined) {
      throw new ConfigError(`${key}: notifier id ${notifier.id} is already used by ${other}`, 'merge the two targets, or give one of them its own `id:`');
    }
    keyOfId.set(notifier.id, key);
    notifiers.push(notifier);
  });
  return notifiers;
}

function buildNotifier(target: TargetSettings, key: string, env: NodeJS.ProcessEnv, deps: Omit<NotifierDeps, 'timeoutMs'>): Notifier {
  const filter: AlertFilter = { kinds: target.kinds ?? null, minSeverity: target.min_severity };
  const common = { ...deps, timeoutMs: target.timeout, filter };

  if (target.webhook !== undefined) {
    const url = resolveUrl(target.webhook, `${key}.webhook`, env);
    const headers = { ...target.headers, ...resolveHeaders(target.headers_env ?? {}, `${key}.headers_env`, env) };
    return new WebhookNotifier({ ...common, id: notifierId('webhook', target.id, url), url, headers });
  }

  const url = resolveUrl(target.slack!, `${key}.slack`, env);
  return new SlackNotifier({ ...common, id: notifierId('slack', target.id, url), url });
}

/** Names a notifier `<type>:<id>`, or `<type>:<first 12 hex digits of the URL's SHA-256>` without `id:`. */
function notifierId(type: 'webhook' | 'slack', id: string | undefined, url: string): string {
  return `${type}:${id ?? createHash('sha256').update(url).digest('hex').slice(0, 12)}`;
}

function resolveUrl(endpoint: { url?: string | undefined; url_env?: string | undefined }, key: string, env: NodeJS.ProcessEnv): string {
  if (endpoint.url !== undefined) return endpoint.url;

  const variable = endpoint.url_env!;
  const url = readVariable(env, variable, `${key}.url_env`, 'the URL');
  if (!httpUrl.safeParse(url).success) {
    throw new ConfigError(`${key}.url_env: the environment variable ${variable} does not contain an http:// or https:// URL`, `set ${variable} to the full URL, for example https://hooks.example.com/...`);
  }
  return url;
}

function resolveHeaders(variables: Record<string, string>, key: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, variable] of Object.entries(variables)) headers[name] = readVariable(env, variable, `${key}.${name}`, `the ${name} header value`);
  return headers;
}

function readVariable(env: NodeJS.ProcessEnv, variable: string, key: string, purpose: string): string {
  const value = env[variable];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(`${key}: the environment variable ${variable} is not set`, `set ${variable} to ${purpose}, or change ${key} in the config`);
  }
  return value.trim();
}
