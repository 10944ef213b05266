import { mkdtemp, readdir, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { adviseConfig, applyConfigAdvice, rulesInForce } from '../../src/judge/preflight/config-advisor.js';
import { requireVersion } from '../../src/judge/version.js';

const PATH = '/etc/headscale/config.yaml';
const v = requireVersion;

/** A config in the style of 0.22's example, trimmed: old database, prefix, policy and DNS keys. */
const CONFIG_0_22 = `---
# headscale will look for a configuration file named config.yaml in the following folders.
server_url: https://headscale.example.com:443
listen_addr: 0.0.0.0:8080

# Private key used to encrypt the traffic between headscale
# and Tailscale clients.
private_key_path: /var/lib/headscale/private.key

noise:
  private_key_path: /var/lib/headscale/noise_private.key

# List of IP prefixes to allocate tailaddresses from.
ip_prefixes:
  - fd7a:115c:a1e0::/48
  - 100.64.0.0/10

# SQLite config
db_type: sqlite3

# For production:
db_path: /var/lib/headscale/db.sqlite

# Path to a file containg ACL policies.
acl_policy_path: ""

## DNS
dns_config:
  # Whether to prefer using Headscale provided DNS or use local.
  override_local_dns: true

  # List of DNS servers to expose to clients.
  nameservers:
    - 1.1.1.1

  # Search domains to inject.
  domains: []

  # Whether to use [MagicDNS](https://tailscale.com/kb/1081/magicdns/).
  magic_dns: true

  # Defines the base domain to create the hostnames for MagicDNS.
  base_domain: example.com

unix_socket: /var/run/headscale/headscale.sock   # the CLI connects here
`;

const PROPOSED_0_23 = `---
# headscale will look for a configuration file named config.yaml in the following folders.
server_url: https://headscale.example.com:443
listen_addr: 0.0.0.0:8080

# Private key used to encrypt the traffic between headscale
# and Tailscale clients.
private_key_path: /var/lib/headscale/private.key

noise:
  private_key_path: /var/lib/headscale/noise_private.key

prefixes:
  # List of IP prefixes to allocate tailaddresses from.
  v4: 100.64.0.0/10
  v6: fd7a:115c:a1e0::/48

database:
  # SQLite config
  type: sqlite3
  sqlite:
    # For production:
    path: /var/lib/headscale/db.sqlite

policy:
  # Path to a file containg ACL policies.
  path: ""

## DNS
dns:
  nameservers:
    # List of DNS servers to expose to clients.
    global:
      - 1.1.1.1

  # Search domains to inject.
  search_domains: []

  # Whether to use [MagicDNS](https://tailscale.com/kb/1081/magicdns/).
  magic_dns: true

  # Defines the base domain to create the hostnames for MagicDNS.
  base_domain: example.com

unix_socket: /var/run/headscale/headscale.sock   # the CLI connects here
`;

const DIFF_0_23 = `--- /etc/headscale/config.yaml
+++ /etc/headscale/config.yaml (proposed for 0.23.0)
@@ -10,31 +10,31 @@
 noise:
   private_key_path: /var/lib/headscale/noise_private.key
 
-# List of IP prefixes to allocate tailaddresses from.
-ip_prefixes:
-  - fd7a:115c:a1e0::/48
-  - 100.64.0.0/10
-
-# SQLite config
-db_type: sqlite3
-
-# For production:
-db_path: /var/lib/headscale/db.sqlite
-
-# Path to a file containg ACL policies.
-acl_policy_path: ""
+prefixes:
+  # List of IP prefixes to allocate tailaddresses from.
+  v4: 100.64.0.0/10
+  v6: fd7a:115c:a1e0::/48
+
+database:
+  # SQLite config
+  type: sqlite3
+  sqlite:
+    # For production:
+    path: /var/lib/headscale/db.sqlite
+
+policy:
+  # Path to a file containg ACL policies.
+  path: ""
 
 ## DNS
-dns_config:
-  # Whether to prefer using Headscale provided DNS or use local.
-  override_local_dns: true
-
-  # List of DNS servers to expose to clients.
+dns:
   nameservers:
-    - 1.1.1.1
+    # List of DNS servers to expose to clients.
+    global:
+      - 1.1.1.1
 
   # Search domains to inject.
-  domains: []
+  search_domains: []
 
   # Whether to use [MagicDNS](https://tailscale.com/kb/1081/magicdns/).
   magic_dns: true
`;

/** A config in the style of 0.28's example with the keys 0.29 removes or renames. */
const CONFIG_0_28 = `server_url: https://headscale.example.com
listen_addr: 127.0.0.1:8080

noise:
  private_key_path: /var/lib/headscale/noise_private.key

prefixes:
  v4: 100.64.0.0/10
  v6: fd7a:115c:a1e0::/48
  allocation: sequential

# Time before an inactive ephemeral node is deleted?
ephemeral_node_inactivity_timeout: 30m

database:
  type: sqlite
  sqlite:
    path: /var/lib/headscale/db.sqlite

policy:
  mode: file
  path: /etc/headscale/policy.hujson

dns:
  magic_dns: true
  base_domain: tailnet.example.com
  override_local_dns: true
  nameservers:
    global:
      - 1.1.1.1

oidc:
  issuer: https://idp.example.com
  client_id: headscale
  # The amount of time a node is authenticated with OpenID until it expires.
  expiry: 180d

# Enabling this option makes devices prefer a random port for WireGuard traffic.
randomize_client_port: true

# Taildrop configuration
taildrop:
  enabled: true
`;

const PROPOSED_0_29 = `server_url: https://headscale.example.com
listen_addr: 127.0.0.1:8080

noise:
  private_key_path: /var/lib/headscale/noise_private.key

prefixes:
  v4: 100.64.0.0/10
  v6: fd7a:115c:a1e0::/48
  allocation: sequential

node:
  ephemeral:
    # Time before an inactive ephemeral node is deleted?
    inactivity_timeout: 30m
  # The amount of time a node is authenticated with OpenID until it expires.
  expiry: 180d

database:
  type: sqlite
  sqlite:
    path: /var/lib/headscale/db.sqlite

policy:
  mode: file
  path: /etc/headscale/policy.hujson

dns:
  magic_dns: true
  base_domain: tailnet.example.com
  override_local_dns: true
  nameservers:
    global:
      - 1.1.1.1

oidc:
  issuer: https://idp.example.com
  client_id: headscale

# Taildrop configuration
taildrop:
  enabled: true
`;

const DIFF_0_29 = `--- /etc/headscale/config.yaml
+++ /etc/headscale/config.yaml (proposed for 0.29.2)
@@ -9,8 +9,12 @@
   v6: fd7a:115c:a1e0::/48
   allocation: sequential
 
-# Time before an inactive ephemeral node is deleted?
-ephemeral_node_inactivity_timeout: 30m
+node:
+  ephemeral:
+    # Time before an inactive ephemeral node is deleted?
+    inactivity_timeout: 30m
+  # The amount of time a node is authenticated with OpenID until it expires.
+  expiry: 180d
 
 database:
   type: sqlite
@@ -32,12 +36,7 @@
 oidc:
   issuer: https://idp.example.com
   client_id: headscale
-  # The amount of time a node is authenticated with OpenID until it expires.
-  expiry: 180d
 
-# Enabling this option makes devices prefer a random port for WireGuard traffic.
-randomize_client_port: true
-
 # Taildrop configuration
 taildrop:
   enabled: true
`;

function checks(advice: ReturnType<typeof adviseConfig>): string[] {
  return advice.findings.map((item) => `${item.check}=${item.verdict}`);
}

describe('config advisor', () => {
  it('rewrites a 0.22 config for 0.23.0', () => {
    const advice = adviseConfig(CONFIG_0_22, v('0.22.3'), v('0.23.0'), PATH);

    expect(checks(advice)).toEqual([
      'config:database-keys=fail',
      'config:ip-prefixes=fail',
      'config:acl-policy-path=fail',
      'config:dns-config=fail',
      'config:dns-config-override-local-dns-removed=warn',
      'config=warn',
    ]);
    expect(advice.proposed).toBe(PROPOSED_0_23);
    expect(advice.diff).toBe(DIFF_0_23);
    expect(advice.findings.at(-1)?.fix).toBe(DIFF_0_23);
    expect(advice.policyChanges).toEqual([]);
  });

  it('rewrites a 0.28 config for 0.29.2', () => {
    const advice = adviseConfig(CONFIG_0_28, v('0.28.0'), v('0.29.2'), PATH);

    expect(checks(advice)).toEqual(['config:randomize-client-port=fail', 'config:ephemeral-inactivity-timeout=warn', 'config:oidc-expiry=fail', 'config=warn']);
    expect(advice.proposed).toBe(PROPOSED_0_29);
    expect(advice.diff).toBe(DIFF_0_29);
  });

  it('asks for randomizeClientPort in the policy', () => {
    const advice = adviseConfig(CONFIG_0_28, v('0.28.0'), v('0.29.2'), PATH);
    const randomize = advice.findings.find((item) => item.check === 'config:randomize-client-port');

    expect(advice.policyChanges).toEqual([
      {
        mode: 'file',
        path: '/etc/headscale/policy.hujson',
        field: 'randomizeClientPort',
        value: true,
        instruction: 'add `"randomizeClientPort": true,` at the top level of the policy in /etc/headscale/policy.hujson while 0.29.2 is installed, before it starts (older versions reject the field)',
      },
    ]);
    expect(randomize?.message).toContain('clients keep randomizing their WireGuard port only if the policy gets "randomizeClientPort": true');
    expect(randomize?.details).toMatchObject({ policyChange: { field: 'randomizeClientPort' } });
  });

  it('names policy commands for a database policy', () => {
    const config = 'policy:\n  mode: database\nrandomize_client_port: true\n';
    const [change] = adviseConfig(config, v('0.28.0'), v('0.29.2')).policyChanges;

    expect(change?.instruction).toBe('once 0.29.2 runs, add `"randomizeClientPort": true,` at the top level of the policy: `headscale policy get > policy.hujson`, edit the file, `headscale policy set --file policy.hujson`');
  });

  it('warns about the expiry of every node', () => {
    const expiry = adviseConfig(CONFIG_0_28, v('0.28.0'), v('0.29.2')).findings.find((item) => item.check === 'config:oidc-expiry');

    expect(expiry?.message).toContain('node.expiry applies to every untagged node whatever its registration method');
  });

  it('leaves a current config alone', () => {
    const advice = adviseConfig(PROPOSED_0_29, v('0.29.2'), v('0.29.2'), PATH);

    expect(checks(advice)).toEqual(['config=pass']);
    expect(advice.proposed).toBe(PROPOSED_0_29);
    expect(advice.diff).toBe('');
  });

  it('applies only the rules of the target', () => {
    const advice = adviseConfig(CONFIG_0_28, v('0.27.1'), v('0.28.0'), PATH);

    expect(checks(advice)).toEqual(['config=pass']);
    expect(rulesInForce(v('0.25.1')).map((rule) => rule.id)).toContain('dns-config-override-local-dns-removed');
    expect(rulesInForce(v('0.26.1')).map((rule) => rule.id)).not.toContain('dns-config-override-local-dns-removed');
    expect(rulesInForce(v('0.26.1')).map((rule) => rule.id)).toContain('dns-config-override-local-dns');
  });

  it('deletes an old key the new one overrides', () => {
    const config = 'db_path: /old/db.sqlite\ndatabase:\n  type: sqlite\n  sqlite:\n    path: /var/lib/headscale/db.sqlite\ndns:\n  magic_dns: false\n';
    const advice = adviseConfig(config, v('0.22.3'), v('0.23.0'));

    expect(advice.proposed).toBe('database:\n  type: sqlite\n  sqlite:\n    path: /var/lib/headscale/db.sqlite\ndns:\n  magic_dns: false\n');
    expect(advice.findings[0]?.fix).toContain('deletes db_path (database.sqlite.path is set, so db_path = "/old/db.sqlite" is ignored)');
  });

  it('keeps ip_prefixes with two IPv4 ranges', () => {
    const config = 'ip_prefixes:\n  - 100.64.0.0/10\n  - 100.100.0.0/16\n';
    const advice = adviseConfig(config, v('0.22.3'), v('0.23.0'));

    expect(advice.findings[0]).toMatchObject({ check: 'config:ip-prefixes', verdict: 'fail' });
    expect(advice.proposed).not.toContain('prefixes:\n  v4');
    expect(advice.proposed).toContain('ip_prefixes:');
  });

  it('matches keys case-insensitively', () => {
    const dns = 'dns:\n  magic_dns: false\n  override_local_dns: false\n';
    const advice = adviseConfig(`Randomize_Client_Port: false\n${dns}`, v('0.28.0'), v('0.29.2'));

    expect(checks(advice)).toEqual(['config:randomize-client-port=fail', 'config=warn']);
    expect(advice.proposed).toBe(dns);
  });

  it('turns MagicDNS off where 0.22 had it off', () => {
    const advice = adviseConfig('server_url: https://hs.example.com\ndns_config:\n  nameservers: [192.0.2.53]\n', v('0.22.3'), v('0.23.0'));

    expect(advice.findings.map((item) => item.check)).toContain('config:magic-dns-needs-base-domain');
    expect(advice.proposed).toBe('server_url: https://hs.example.com\ndns:\n  nameservers:\n    global: [ 192.0.2.53 ]\n  magic_dns: false\n');
  });

  it('keeps client DNS when no nameserver is set', () => {
    const advice = adviseConfig('dns:\n  magic_dns: false\n', v('0.25.1'), v('0.26.1'));

    expect(advice.findings[0]).toMatchObject({ check: 'config:override-local-dns-needs-nameservers', verdict: 'fail' });
    expect(advice.proposed).toBe('dns:\n  magic_dns: false\n  override_local_dns: false\n');
  });

  it('reports base_domain inside server_url', () => {
    const config = 'server_url: https://hs.tailnet.example.com\ndns:\n  magic_dns: true\n  base_domain: tailnet.example.com\n  override_local_dns: false\n';
    const advice = adviseConfig(config, v('0.23.0'), v('0.24.0'));

    expect(advice.findings[0]).toMatchObject({ check: 'config:server-url-in-base-domain', verdict: 'fail' });
    expect(advice.proposed).toBe(config);
    expect(advice.findings.at(-1)).toMatchObject({ check: 'config', verdict: 'warn', fix: null });
  });

  it('reports a YAML policy file', () => {
    const advice = adviseConfig('acl_policy_path: /etc/headscale/acl.yaml\n', v('0.22.3'), v('0.23.0'));

    expect(advice.findings.map((item) => `${item.check}=${item.verdict}`)).toContain('config:yaml-policy=fail');
  });

  it('fails on YAML it cannot read', () => {
    const advice = adviseConfig('server_url: [unclosed\n', v('0.28.0'), v('0.29.2'), PATH);

    expect(checks(advice)).toEqual(['config=fail']);
    expect(advice.proposed).toBe('server_url: [unclosed\n');
  });
});

describe('applyConfigAdvice', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'headsup-config-apply-'));
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the proposal keeping the mode', async () => {
    const path = join(dir, 'keep-mode.yaml');
    await writeFile(path, CONFIG_0_28);
    await chmod(path, 0o640);
    const advice = adviseConfig(CONFIG_0_28, v('0.28.0'), v('0.29.2'), path);
    const before = await stat(path);

    await applyConfigAdvice(path, advice);
    const after = await stat(path);

    expect(await readFile(path, 'utf8')).toBe(PROPOSED_0_29);
    expect(after.mode & 0o7777).toBe(0o640);
    expect(after.uid).toBe(before.uid);
    expect(after.gid).toBe(before.gid);
    expect(after.ino).not.toBe(before.ino);
    expect((await readdir(dir)).filter((name) => name.startsWith('keep-mode'))).toEqual(['keep-mode.yaml']);
  });

  it('rejects a file changed since the advice', async () => {
    const path = join(dir, 'changed.yaml');
    await writeFile(path, CONFIG_0_28);
    const advice = adviseConfig(CONFIG_0_28, v('0.28.0'), v('0.29.2'), path);
    await writeFile(path, `${CONFIG_0_28}# edited by hand\n`);

    await expect(applyConfigAdvice(path, advice)).rejects.toThrow(/changed after the config advice was made/);
    expect(await readFile(path, 'utf8')).toBe(`${CONFIG_0_28}# edited by hand\n`);
  });

  it('writes a given text', async () => {
    const path = join(dir, 'text.yaml');
    await writeFile(path, 'a: 1\n');

    await applyConfigAdvice(path, 'a: 2\n');

    expect(await readFile(path, 'utf8')).toBe('a: 2\n');
  });
});
