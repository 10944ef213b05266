import { formatVersion } from '../version.js';
import { effectText, type RuleContext, type RuleOutcome } from './config-rule-outcome.js';
import type { CustomRule } from './config-rules.js';
import { hasPath, movePath, pathOf, removePath, setPath, valueAt } from './yaml-edit.js';

type CustomHandler = (rule: CustomRule, context: RuleContext) => RuleOutcome[];

/** The handler of each custom rule kind. */
export const CUSTOM_HANDLERS: Record<CustomRule['kind'], CustomHandler> = {
  'ip-prefixes': applyIpPrefixes,
  'yaml-policy': checkYamlPolicy,
  'magic-dns': applyMagicDns,
  nameservers: applyNameservers,
  'server-url': checkServerUrl,
  'randomize-client-port': applyRandomizeClientPort,
};

/**
 * `ip_prefixes` (a list) becomes `prefixes.v4` and `prefixes.v6`, one range each. The ranges are
 * kept exactly: nodes keep the addresses they have, and changing a range does not move them.
 */
function applyIpPrefixes(rule: CustomRule, context: RuleContext): RuleOutcome[] {
  const { doc } = context;
  const value = valueAt(doc, ['ip_prefixes']);
  if (value === undefined) return [];

  const effect = effectText(rule, context, 1);
  if (hasPath(doc, ['prefixes'])) {
    removePath(doc, ['ip_prefixes']);
    return [{ rule, verdict: 'warn', message: `ip_prefixes = ${JSON.stringify(value)} is ignored because prefixes is set (prefixes = ${JSON.stringify(valueAt(doc, ['prefixes']))})`, fix: 'the proposed config deletes ip_prefixes; check that prefixes contains the ranges your nodes use', keys: ['ip_prefixes'] }];
  }

  const ranges = (Array.isArray(value) ? value : [value]).map(String);
  const v4 = ranges.filter((range) => !range.includes(':'));
  const v6 = ranges.filter((range) => range.includes(':'));
  if (v4.length > 1 || v6.length > 1 || ranges.length === 0) {
    return [
      {
        rule,
        verdict: 'fail',
        message: `ip_prefixes = ${JSON.stringify(ranges)}: ${effect}; prefixes takes at most one IPv4 and one IPv6 range, so these ranges cannot move automatically`,
        fix: 'replace ip_prefixes with `prefixes: { v4: <the IPv4 range your nodes use>, v6: <the IPv6 range> }`',
        keys: ['ip_prefixes'],
      },
    ];
  }

  const target: Array<[string, string]> = [];
  if (v4[0]) target.push(['prefixes.v4', v4[0]]);
  if (v6[0]) target.push(['prefixes.v6', v6[0]]);
  const [first, ...rest] = target;
  // Turn the list into the first range so that the key moves with its comments, then add the other.
  setPath(doc, ['ip_prefixes'], first![1]);
  movePath(doc, ['ip_prefixes'], pathOf(first![0]));
  for (const [path, range] of rest) setPath(doc, pathOf(path), range);

  return [{ rule, verdict: 'fail', message: `ip_prefixes = ${JSON.stringify(ranges)}: ${effect}`, fix: `the proposed config replaces ip_prefixes with ${target.map(([path, range]) => `${path}: ${range}`).join(', ')}, keeping the ranges`, keys: ['ip_prefixes'] }];
}

function checkYamlPolicy(rule: CustomRule, context: RuleContext): RuleOutcome[] {
  const path = valueAt(context.doc, ['policy', 'path']);
  if (typeof path !== 'string' || !/\.ya?ml$/i.test(path)) return [];

  return [{ rule, verdict: 'fail', message: `policy.path = ${path} looks like a YAML policy; ${formatVersion(context.to)} reads HuJSON policies only`, fix: `convert ${path} to HuJSON (JSON with comments) and point policy.path at the new file`, keys: ['policy.path'] }];
}

/**
 * From 0.23 `dns.magic_dns` defaults to true and then needs `dns.base_domain`. Before 0.23 MagicDNS
 * was on only when `dns_config.magic_dns` was set, so `false` keeps what an unset key meant.
 */
function applyMagicDns(rule: CustomRule, context: RuleContext): RuleOutcome[] {
  const { doc } = context;
  const magic = valueAt(doc, ['dns', 'magic_dns']);
  const baseDomain = valueAt(doc, ['dns', 'base_domain']);
  if (magic === false || (typeof baseDomain === 'string' && baseDomain !== '')) return [];

  const message = `dns.magic_dns is ${magic === undefined ? 'not set (default true)' : 'true'} and dns.base_domain is empty: ${effectText(rule, context)}`;
  if (magic !== undefined) {
    return [{ rule, verdict: 'fail', message, fix: 'set dns.base_domain to a domain that is not part of server_url, e.g. `dns.base_domain: tailnet.example.com`, or set `dns.magic_dns: false`', keys: ['dns.magic_dns', 'dns.base_domain'] }];
  }

  setPath(doc, ['dns', 'magic_dns'], false);
  return [{ rule, verdict: 'fail', message, fix: 'the proposed config sets `dns.magic_dns: false`, which is what an unset key meant before 0.23; to use MagicDNS instead, set dns.base_domain', keys: ['dns.magic_dns'] }];
}

/**
 * From 0.26 `dns.override_local_dns` defaults to true and then needs `dns.nameservers.global`.
 * Up to 0.25 the global nameservers went to clients only when some were set, so with none set
 * `false` keeps what clients get.
 */
function applyNameservers(rule: CustomRule, context: RuleContext): RuleOutcome[] {
  const { doc } = context;
  const override = valueAt(doc, ['dns', 'override_local_dns']);
  const global = valueAt(doc, ['dns', 'nameservers', 'global']);
  if (override === false || (Array.isArray(global) && global.length > 0)) return [];

  setPath(doc, ['dns', 'override_local_dns'], false);
  return [
    {
      rule,
      verdict: 'fail',
      message: `dns.override_local_dns is ${override === undefined ? 'not set (default true)' : String(override)} and dns.nameservers.global is empty: ${effectText(rule, context)}`,
      fix: 'the proposed config sets `dns.override_local_dns: false`, so clients keep their own DNS servers as before; to push DNS servers instead, list them under dns.nameservers.global',
      keys: ['dns.override_local_dns', 'dns.nameservers.global'],
    },
  ];
}

/**
 * The check of 0.29.2 `isSafeServerURL`: `dns.base_domain` must not equal the host of `server_url`
 * nor be a suffix of its `host:port` split at dots.
 */
function checkServerUrl(rule: CustomRule, context: RuleContext): RuleOutcome[] {
  const serverUrl = valueAt(context.doc, ['server_url']);
  const baseDomain = valueAt(context.doc, ['dns', 'base_domain']);
  if (typeof serverUrl !== 'string' || typeof baseDomain !== 'string' || baseDomain === '') return [];

  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    return [];
  }

  const serverParts = url.host.split('.');
  const baseParts = baseDomain.split('.');
  const isSuffix = serverParts.length > baseParts.length && baseParts.every((part, i) => serverParts[serverParts.length - 1 - i] === baseParts[baseParts.length - 1 - i]);
  if (url.hostname !== baseDomain && !isSuffix) return [];

  return [
    {
      rule,
      verdict: 'fail',
      message: `dns.base_domain = ${baseDomain} is part of server_url = ${serverUrl}: ${effectText(rule, context)}, because clients would resolve the server's name through MagicDNS`,
      fix: 'choose a dns.base_domain that server_url does not end with, e.g. `dns.base_domain: tailnet.example.com`; MagicDNS names of the nodes change with it',
      keys: ['dns.base_domain', 'server_url'],
    },
  ];
}

/**
 * 0.29 exits while `randomize_client_port` is present, even as false. A true value moves into the
 * policy as the top-level field `randomizeClientPort`, which 0.27.1 and 0.28.0 reject ("parsing
 * policy: unknown field"), so the policy can change only together with the binary.
 */
function applyRandomizeClientPort(rule: CustomRule, context: RuleContext): RuleOutcome[] {
  const { doc } = context;
  if (!hasPath(doc, ['randomize_client_port'])) return [];

  const value = valueAt(doc, ['randomize_client_port']);
  removePath(doc, ['randomize_client_port']);
  const message = `randomize_client_port = ${JSON.stringify(value)}: ${effectText(rule, context, 1)}, whatever its value`;
  if (value !== true) {
    return [{ rule, verdict: 'fail', message, fix: `delete \`randomize_client_port: ${String(value)}\` (the proposed config does); false is the default`, keys: ['randomize_client_port'] }];
  }

  const mode = String(valueAt(doc, ['policy', 'mode']) ?? 'file');
  const policyPath = valueAt(doc, ['policy', 'path']);
  const path = typeof policyPath === 'string' && policyPath !== '' ? policyPath : null;
  const instruction = policyInstruction(mode, path, formatVersion(context.to));
  return [
    {
      rule,
      verdict: 'fail',
      message: `${message}; the proposed config deletes the key, and clients keep randomizing their WireGuard port only if the policy gets "randomizeClientPort": true`,
      fix: `apply the proposed config and ${instruction}`,
      keys: ['randomize_client_port'],
      policyChange: { mode, path, field: 'randomizeClientPort', value: true, instruction },
    },
  ];
}

function policyInstruction(mode: string, path: string | null, to: string): string {
  const field = '`"randomizeClientPort": true,` at the top level of the policy';
  if (mode === 'database') {
    return `once ${to} runs, add ${field}: \`headscale policy get > policy.hujson\`, edit the file, \`headscale policy set --file policy.hujson\``;
  }
  if (path === null) {
    return `write a policy file with ${field} (e.g. \`{ "randomizeClientPort": true, "acls": [{ "action": "accept", "src": ["*"], "dst": ["*:*"] }] }\`), set policy.path to it, and install both together with ${to}; without a policy every node may reach every other, as now`;
  }
  return `add ${field} in ${path} while ${to} is installed, before it starts (older versions reject the field)`;
}
