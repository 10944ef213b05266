import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

import { adviseConfig } from '../../src/judge/preflight/config-advisor.js';
import { CONFIG_RULES } from '../../src/judge/preflight/config-rules.js';
import { requireVersion } from '../../src/judge/version.js';
import { nodeProcessRunner } from '../../src/platform/exec.js';
import { headscaleBinary } from '../lab/binaries.js';
import { LAB_POLICY, writeOfflineConfig, type OfflineConfig } from '../lab/offline-config.js';
import { runConfigtest, withoutHeadscaleVariables } from './lab-database.js';

type Config = Record<string, any>;

interface RuleCase {
  rule: string;
  /** Versions the case runs on; default all four. */
  versions?: string[];
  /** Turns the offline config into one that breaks the rule. */
  breakConfig: (config: Config, lab: OfflineConfig) => void;
  /** False for a rule the advisor reports but cannot fix. */
  fixable?: boolean;
  /** True when the broken config still starts, with a warning. */
  starts?: boolean;
}

const ALL = ['0.26.1', '0.27.1', '0.28.0', '0.29.2'];

/** One case per rule that Headscale 0.26–0.29 apply; each changes only what the rule is about. */
const CASES: RuleCase[] = [
  {
    rule: 'database-keys',
    breakConfig: (config, lab) => {
      delete config.database;
      config.db_type = 'sqlite3';
      config.db_path = lab.dbPath;
    },
  },
  {
    rule: 'ip-prefixes',
    breakConfig: (config) => {
      delete config.prefixes;
      config.ip_prefixes = ['fd7a:115c:a1e0::/48', '100.64.0.0/10'];
    },
  },
  {
    rule: 'acl-policy-path',
    breakConfig: (config, lab) => {
      delete config.policy;
      config.acl_policy_path = lab.policyPath;
    },
  },
  {
    rule: 'dns-config',
    // The keys are ignored with a warning, and the defaults of dns.* then fail on their own.
    breakConfig: (config) => {
      delete config.dns;
      config.dns_config = { override_local_dns: false, magic_dns: false, nameservers: ['192.0.2.53'], domains: ['example.test'] };
    },
  },
  {
    rule: 'dns-config-override-local-dns',
    breakConfig: (config) => {
      delete config.dns.override_local_dns;
      config.dns_config = { override_local_dns: false };
    },
  },
  {
    rule: 'use-username-in-magic-dns',
    breakConfig: (config) => {
      config.dns.use_username_in_magic_dns = false;
    },
  },
  {
    rule: 'oidc-strip-email-domain',
    breakConfig: (config) => {
      config.oidc = { strip_email_domain: true };
    },
  },
  {
    rule: 'oidc-map-legacy-users',
    breakConfig: (config) => {
      config.oidc = { map_legacy_users: false };
    },
  },
  {
    rule: 'magic-dns-needs-base-domain',
    breakConfig: (config) => {
      delete config.dns.magic_dns;
    },
  },
  {
    rule: 'override-local-dns-needs-nameservers',
    breakConfig: (config) => {
      delete config.dns.override_local_dns;
    },
  },
  {
    rule: 'server-url-in-base-domain',
    fixable: false,
    breakConfig: (config) => {
      config.dns.base_domain = '127.0.0.1';
    },
  },
  {
    rule: 'randomize-client-port',
    versions: ['0.29.2'],
    breakConfig: (config) => {
      config.randomize_client_port = false;
    },
  },
  {
    rule: 'ephemeral-inactivity-timeout',
    versions: ['0.29.2'],
    starts: true,
    breakConfig: (config) => {
      config.ephemeral_node_inactivity_timeout = '30m';
    },
  },
  {
    rule: 'oidc-expiry',
    versions: ['0.29.2'],
    breakConfig: (config) => {
      config.oidc = { expiry: '180d' };
    },
  },
];

function output(result: { stdout: string; stderr: string }): string {
  return `${result.stdout}\n${result.stderr}`;
}

describe('config rules on the real binaries', { timeout: 60_000 }, () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'headsup-config-rules-'));
  });

  afterAll(() => rm(scratch, { recursive: true, force: true }));

  /** Writes the offline config of `version` with the case's break into a new folder. */
  async function brokenConfig(version: string, ruleCase: RuleCase): Promise<{ lab: OfflineConfig; text: string }> {
    const dir = await mkdtemp(join(scratch, `${ruleCase.rule}-${version}-`));
    const lab = await writeOfflineConfig(version, dir);
    const config = parse(await readFile(lab.configPath, 'utf8')) as Config;
    ruleCase.breakConfig(config, lab);
    const text = stringify(config);
    await writeFile(lab.configPath, text);

    return { lab, text };
  }

  const runs = CASES.flatMap((ruleCase) => (ruleCase.versions ?? ALL).map((version) => [ruleCase.rule, version, ruleCase] as const));

  it.each(runs)('%s on %s: original fails, proposal passes', async (rule, version, ruleCase) => {
    const { lab, text } = await brokenConfig(version, ruleCase);
    const observed = CONFIG_RULES.find((item) => item.id === rule)?.observed[version];
    const before = await runConfigtest(version, lab.configPath);

    expect(observed, `rule ${rule} records what ${version} printed`).toBeDefined();
    expect(output(before)).toContain(observed);
    expect(before.exitCode).toBe(ruleCase.starts ? 0 : 1);

    const advice = adviseConfig(text, requireVersion(version), requireVersion(version), lab.configPath);
    const ruleFinding = advice.findings.find((item) => item.check === `config:${rule}`);
    expect(ruleFinding?.verdict).toBe(ruleCase.starts ? 'warn' : 'fail');

    if (ruleCase.fixable === false) {
      expect(advice.proposed).toBe(text);
      return;
    }

    const proposedPath = join(lab.configPath, '..', 'config.proposed.yaml');
    await writeFile(proposedPath, advice.proposed);
    const after = await runConfigtest(version, proposedPath);

    expect(output(after)).not.toContain(observed);
    expect(output(after)).not.toMatch(/FTL|FATAL|WARN:/);
    expect(after.exitCode).toBe(0);
  });

  it('randomize_client_port true moves into the 0.29.2 policy', async () => {
    const { lab, text } = await brokenConfig('0.29.2', { rule: 'randomize-client-port', breakConfig: (config) => (config.randomize_client_port = true) });
    const advice = adviseConfig(text, requireVersion('0.28.0'), requireVersion('0.29.2'), lab.configPath);

    expect(advice.policyChanges).toEqual([expect.objectContaining({ mode: 'file', path: lab.policyPath, field: 'randomizeClientPort', value: true })]);
    expect(advice.findings.find((item) => item.check === 'config:randomize-client-port')?.fix).toContain(`add \`"randomizeClientPort": true,\` at the top level of the policy in ${lab.policyPath}`);

    const policyWithField = LAB_POLICY.replace('{\n', '{\n  "randomizeClientPort": true,\n');
    await writeFile(lab.policyPath!, policyWithField);
    const proposedPath = join(lab.configPath, '..', 'config.proposed.yaml');
    await writeFile(proposedPath, advice.proposed);
    const result = await runConfigtest('0.29.2', proposedPath);

    expect(output(result)).not.toMatch(/FTL|FATAL/);
    expect(result.exitCode).toBe(0);
  });

  it.each(['0.27.1', '0.28.0'])('%s rejects randomizeClientPort in the policy', async (version) => {
    const path = join(scratch, `policy-${version}.hujson`);
    await writeFile(path, LAB_POLICY.replace('{\n', '{\n  "randomizeClientPort": true,\n'));
    const result = await nodeProcessRunner.run(headscaleBinary(version), ['policy', 'check', '--file', path], { env: withoutHeadscaleVariables() });

    expect(output(result)).toContain('unknown field "randomizeClientPort"');
    expect(result.exitCode).toBe(1);
  });
});
