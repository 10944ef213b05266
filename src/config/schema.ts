import { z } from 'zod';
import { policyOverrideSchema } from '../decide/policy/schema.js';
import { alertsConfigSchema } from '../tell/config.js';
import { parseDuration } from './duration.js';

/** Parses a duration written as `500ms`, `15s`, `5m`, `2h` or `3d` into milliseconds. */
const duration = z.string({ error: 'expected a duration with a unit, for example 30s, 500ms or 2h' }).transform((text, context) => {
  const ms = parseDuration(text);
  if (ms === null) {
    context.addIssue({ code: 'custom', message: `invalid duration "${text}"; write a number and a unit: ms, s, m, h, d or w (for example 30s or 2h)` });
    return z.NEVER;
  }
  return ms;
});

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL, for example http://127.0.0.1:8080/health' });

const instanceName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

const systemdService = z.strictObject({
  systemd: z.string().min(1).describe('the systemd unit that runs Headscale, for example headscale.service'),
});

const commandService = z.strictObject({
  start: z.string().min(1).describe('shell command that starts Headscale and returns once it is launched'),
  stop: z.string().min(1).describe('shell command that stops Headscale and returns once it has exited'),
  status: z.string().min(1).optional().describe('shell command that exits 0 while Headscale runs'),
  logs: z.string().min(1).optional().describe("shell command that prints Headscale's recent log lines"),
});

/** Builds a whole-number schema within bounds whose error message names the bounds. */
const count = (min: number, max: number) =>
  z.number({ error: `expected a whole number from ${min} to ${max}` }).int({ error: `expected a whole number from ${min} to ${max}` }).min(min, { error: `expected a whole number from ${min} to ${max}` }).max(max, { error: `expected a whole number from ${min} to ${max}` });

const healthGate = z.strictObject({
  passes: count(1, 100).default(3),
  interval: duration.default(1000),
  timeout: duration.default(90_000),
});

const instance = z.strictObject({
  environment: z.string().min(1).default('production'),
  binary: z.string().min(1),
  config: z.string().min(1),
  data_dir: z.string().min(1).optional(),
  health_url: httpUrl,
  version_url: httpUrl.optional(),
  service: z.union([systemdService, commandService], {
    error: 'expected either `systemd: <unit>` or `start:` and `stop:` commands (with an optional `status:`)',
  }),
  health: healthGate.prefault({}),
  policy: policyOverrideSchema.optional().describe('overrides of the update policy for this instance'),
});

const environment = z.strictObject({
  policy: policyOverrideSchema.optional().describe('overrides of the update policy for every instance of this environment'),
});

const githubChannel = z.strictObject({
  api_url: httpUrl.default('https://api.github.com'),
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected owner/name, for example juanfont/headscale').default('juanfont/headscale'),
  token_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable').optional(),
  timeout: duration.default(15_000),
});

const osvChannel = z.strictObject({
  enabled: z.boolean().default(true),
  api_url: httpUrl.default('https://api.osv.dev'),
  timeout: duration.default(15_000),
});

const githubAdvisoriesChannel = z.strictObject({
  enabled: z.boolean().default(true),
});

const atomChannel = z.strictObject({
  enabled: z.boolean().default(true),
  web_url: httpUrl.default('https://github.com'),
  timeout: duration.default(15_000),
});

const channels = z.strictObject({
  github: githubChannel.prefault({}),
  github_atom: atomChannel.prefault({}),
  osv: osvChannel.prefault({}),
  github_advisories: githubAdvisoriesChannel.prefault({}),
  stale_after: duration.default(2 * 86_400_000).describe('a channel without a successful poll for this long is a problem that check reports'),
});

export const configSchema = z.strictObject({
  state: z.string().min(1).optional(),
  cache_dir: z.string().min(1).optional(),
  log_file: z.string().min(1).optional(),
  backups: z
    .strictObject({
      dir: z.string().min(1).optional(),
      keep: count(1, 1000).default(10),
    })
    .prefault({}),
  channels: channels.prefault({}),
  policy: policyOverrideSchema.optional(),
  environments: z.record(z.string().regex(instanceName, 'environment names use letters, digits, ".", "_" and "-"'), environment).default({}),
  ...alertsConfigSchema.shape,
  instances: z
    .record(z.string().regex(instanceName, 'instance names use letters, digits, ".", "_" and "-"'), instance)
    .default({}),
});

export type RawConfig = z.output<typeof configSchema>;
export type InstanceSettings = z.output<typeof instance>;
export type ServiceSettings = InstanceSettings['service'];
