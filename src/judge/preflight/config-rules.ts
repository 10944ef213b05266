/**
 * Config keys that a Headscale version removes, renames or newly requires, read from
 * `hscontrol/types/config.go` (the deprecator in `validateServerConfig`, and `LoadServerConfig`)
 * and `config-example.yaml` at each tag. `observed` contains what `headscale configtest` printed
 * for a config that breaks the rule. It was run with the builds in ~/.cache/headsup/headscale on
 * an offline config, and test/preflight/config-rules-binaries.test.ts runs it again. Rules for
 * versions before 0.26 are read from the code only.
 */

/**
 * Behaviour of the target on a config that breaks the rule:
 * - `exits`: it refuses to start;
 * - `ignored`: it starts without the setting, after a warning;
 * - `fallback`: it still reads the old key, after a deprecation warning;
 * - `warning`: it warns that the key was removed, and nothing replaces it.
 */
export type RuleEffect = 'exits' | 'ignored' | 'fallback' | 'warning';

interface RuleBase {
  id: string;
  /** First version that applies the rule. */
  since: string;
  /** First version that no longer applies it; absent while 0.29.2 still applies it. */
  before?: string;
  effect: RuleEffect;
  /** Tag and file the rule was read from. */
  source: string;
  /** Text printed by `headscale configtest`, per version run. */
  observed: Readonly<Record<string, string>>;
  /** A consequence of the proposed change that the operator must know, added to the finding. */
  note?: string;
}

/** Keys whose value moves to a new key; `[from, to]` as dotted paths. */
export interface MoveRule extends RuleBase {
  kind: 'move';
  moves: ReadonlyArray<readonly [string, string]>;
}

/** Keys that are gone without a replacement. */
export interface RemoveRule extends RuleBase {
  kind: 'remove';
  keys: readonly string[];
}

/** Rules with their own logic in config-custom-rules.ts. */
export interface CustomRule extends RuleBase {
  kind: 'ip-prefixes' | 'yaml-policy' | 'magic-dns' | 'nameservers' | 'server-url' | 'randomize-client-port';
}

export type ConfigRule = MoveRule | RemoveRule | CustomRule;

const RUN_VERSIONS = ['0.26.1', '0.27.1', '0.28.0', '0.29.2'];

function onAll(text: string): Record<string, string> {
  return Object.fromEntries(RUN_VERSIONS.map((version) => [version, text]));
}

function deprecatedKey(from: string, to: string): string {
  return `The "${from}" configuration key is deprecated. Please use "${to}" instead. "${from}" has been removed.`;
}

function removedKey(key: string): string {
  return `FATAL: The "${key}" configuration key has been removed. Please see the changelog for more details.`;
}

/** Applied in this order: the moves first, then the rules that read the moved values. */
export const CONFIG_RULES: readonly ConfigRule[] = [
  {
    id: 'database-keys',
    kind: 'move',
    since: '0.23.0',
    effect: 'exits',
    source: 'v0.23.0 hscontrol/types/config.go (GetDatabaseConfig reads database.*)',
    moves: [
      ['db_type', 'database.type'],
      ['db_path', 'database.sqlite.path'],
      ['db_host', 'database.postgres.host'],
      ['db_port', 'database.postgres.port'],
      ['db_name', 'database.postgres.name'],
      ['db_user', 'database.postgres.user'],
      ['db_pass', 'database.postgres.pass'],
      ['db_ssl', 'database.postgres.ssl'],
    ],
    observed: onAll('invalid database type "", must be sqlite, sqlite3 or postgres'),
  },
  {
    id: 'ip-prefixes',
    kind: 'ip-prefixes',
    since: '0.23.0',
    effect: 'exits',
    source: 'v0.23.0 hscontrol/types/config.go (prefixV4, prefixV6 read prefixes.v4 and prefixes.v6)',
    observed: onAll('no IPv4 or IPv6 prefix configured, minimum one prefix is required'),
  },
  {
    id: 'acl-policy-path',
    kind: 'move',
    since: '0.23.0',
    effect: 'exits',
    source: 'v0.29.2 hscontrol/types/config.go: depr.fatalIfNewKeyIsNotUsed("policy.path", "acl_policy_path")',
    moves: [['acl_policy_path', 'policy.path']],
    observed: onAll(`FATAL: ${deprecatedKey('acl_policy_path', 'policy.path')}`),
  },
  {
    id: 'yaml-policy',
    kind: 'yaml-policy',
    since: '0.23.0',
    effect: 'exits',
    source: 'CHANGELOG.md 0.23.0: YAML policies are no longer supported, HuJSON only',
    observed: {},
  },
  {
    id: 'dns-config',
    kind: 'move',
    since: '0.23.0',
    // 0.23.0 exited on these keys (reported in the field); 0.26.1–0.29.2 only warn, because the new
    // keys have defaults and count as set, and then run without the old settings.
    effect: 'ignored',
    source: 'v0.29.2 hscontrol/types/config.go: depr.fatalIfNewKeyIsNotUsed for each dns_config key',
    moves: [
      ['dns_config.magic_dns', 'dns.magic_dns'],
      ['dns_config.base_domain', 'dns.base_domain'],
      ['dns_config.nameservers', 'dns.nameservers.global'],
      ['dns_config.restricted_nameservers', 'dns.nameservers.split'],
      ['dns_config.domains', 'dns.search_domains'],
      ['dns_config.extra_records', 'dns.extra_records'],
    ],
    observed: onAll(`WARN: ${deprecatedKey('dns_config.nameservers', 'dns.nameservers.global')}`),
  },
  {
    id: 'dns-config-override-local-dns-removed',
    kind: 'remove',
    since: '0.23.0',
    before: '0.26.0',
    effect: 'warning',
    source: 'v0.25.1 hscontrol/types/config.go: depr.warn("dns_config.override_local_dns")',
    keys: ['dns_config.override_local_dns'],
    observed: {},
  },
  {
    id: 'dns-config-override-local-dns',
    kind: 'move',
    since: '0.26.0',
    effect: 'ignored',
    source: 'v0.26.1 hscontrol/types/config.go: depr.fatalIfNewKeyIsNotUsed("dns.override_local_dns", "dns_config.override_local_dns")',
    moves: [['dns_config.override_local_dns', 'dns.override_local_dns']],
    observed: onAll(`WARN: ${deprecatedKey('dns_config.override_local_dns', 'dns.override_local_dns')}`),
  },
  {
    id: 'dns-config-use-username',
    kind: 'move',
    since: '0.23.0',
    before: '0.24.0',
    effect: 'ignored',
    source: 'v0.23.0 hscontrol/types/config.go: depr.warn("dns_config.use_username_in_magic_dns"); dns.use_username_in_magic_dns is read',
    moves: [['dns_config.use_username_in_magic_dns', 'dns.use_username_in_magic_dns']],
    observed: {},
  },
  {
    id: 'use-username-in-magic-dns',
    kind: 'remove',
    since: '0.24.0',
    effect: 'exits',
    source: 'v0.24.0 hscontrol/types/config.go: depr.fatal for both keys',
    keys: ['dns.use_username_in_magic_dns', 'dns_config.use_username_in_magic_dns'],
    observed: onAll(removedKey('dns.use_username_in_magic_dns')),
  },
  {
    id: 'oidc-strip-email-domain',
    kind: 'remove',
    since: '0.26.0',
    effect: 'exits',
    source: 'v0.26.1 hscontrol/types/config.go: depr.fatal("oidc.strip_email_domain")',
    keys: ['oidc.strip_email_domain'],
    observed: onAll(removedKey('oidc.strip_email_domain')),
  },
  {
    id: 'oidc-map-legacy-users',
    kind: 'remove',
    since: '0.26.0',
    effect: 'exits',
    source: 'v0.26.1 hscontrol/types/config.go: depr.fatal("oidc.map_legacy_users")',
    keys: ['oidc.map_legacy_users'],
    observed: onAll(removedKey('oidc.map_legacy_users')),
  },
  {
    id: 'randomize-client-port',
    kind: 'randomize-client-port',
    since: '0.29.0',
    effect: 'exits',
    source: 'v0.29.2 hscontrol/types/config.go: depr.fatalWithHint("randomize_client_port", …)',
    observed: {
      '0.29.2':
        'FATAL: The "randomize_client_port" configuration key has been removed. Set "randomizeClientPort": true at the top level of your policy file (see policy.path / policy.mode), or grant the cap per-node via a "nodeAttrs" entry. See CHANGELOG.md (BREAKING / Configuration).',
    },
  },
  {
    id: 'ephemeral-inactivity-timeout',
    kind: 'move',
    since: '0.29.0',
    effect: 'fallback',
    source: 'v0.29.2 hscontrol/types/config.go: depr.warnNoAlias("node.ephemeral.inactivity_timeout", "ephemeral_node_inactivity_timeout")',
    moves: [['ephemeral_node_inactivity_timeout', 'node.ephemeral.inactivity_timeout']],
    observed: { '0.29.2': `WARN: ${deprecatedKey('ephemeral_node_inactivity_timeout', 'node.ephemeral.inactivity_timeout')}` },
  },
  {
    id: 'oidc-expiry',
    kind: 'move',
    since: '0.29.0',
    effect: 'exits',
    source: 'v0.29.2 hscontrol/types/config.go: depr.fatalIfSet("oidc.expiry", "node.expiry")',
    moves: [['oidc.expiry', 'node.expiry']],
    note: 'node.expiry applies to every untagged node whatever its registration method (0.29.2 config-example.yaml), so nodes registered with a pre-auth key or the CLI then expire after the same time',
    observed: { '0.29.2': 'FATAL: The "oidc.expiry" configuration key has been removed. Please use "node.expiry" instead.' },
  },
  {
    id: 'magic-dns-needs-base-domain',
    kind: 'magic-dns',
    since: '0.23.0',
    effect: 'exits',
    source: 'v0.23.0 hscontrol/types/config.go: dns.magic_dns defaults to true, and dnsToTailcfgDNS exits without dns.base_domain',
    observed: onAll('dns.base_domain must be set when using MagicDNS (dns.magic_dns)'),
  },
  {
    id: 'override-local-dns-needs-nameservers',
    kind: 'nameservers',
    since: '0.26.0',
    effect: 'exits',
    source: 'v0.26.1 hscontrol/types/config.go: dns.override_local_dns defaults to true and then requires dns.nameservers.global',
    observed: onAll('Fatal config error: dns.nameservers.global must be set when dns.override_local_dns is true'),
  },
  {
    id: 'server-url-in-base-domain',
    kind: 'server-url',
    since: '0.24.0',
    effect: 'exits',
    source: 'v0.24.0 hscontrol/types/config.go: isSafeServerURL',
    observed: onAll('server_url cannot use the same domain as base_domain in a way that could make the DERP and headscale server unreachable'),
  },
];
