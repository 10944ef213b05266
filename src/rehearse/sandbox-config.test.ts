import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rewriteConfigForSandbox } from './sandbox-config.js';

const DIR = '/var/lib/headsup/rehearse/hs1-abc123';
const PORTS = { http: 41001, metrics: 41002, grpc: 41003, stun: 41004 };

// The keys of the 0.22.3 example config that name files or addresses, with an ACL file and TLS.
const CONFIG_022 = `---
# headscale will look for a configuration file named \`config.yaml\`
server_url: https://headscale.example.com:443
listen_addr: 0.0.0.0:8080
metrics_listen_addr: 127.0.0.1:9090
grpc_listen_addr: 0.0.0.0:50443
grpc_allow_insecure: false
private_key_path: ./private.key
noise:
  private_key_path: ./noise_private.key
ip_prefixes:
  - fd7a:115c:a1e0::/48
  - 100.64.0.0/10
derp:
  server:
    enabled: false
    region_id: 999
    stun_listen_addr: "0.0.0.0:3478"
  urls:
    - https://controlplane.tailscale.com/derpmap/default
  paths: []
  auto_update_enabled: true
  update_frequency: 24h
disable_check_updates: false
db_type: sqlite3
db_path: /var/lib/headscale/db.sqlite
acme_url: https://acme-v02.api.letsencrypt.org/directory
tls_letsencrypt_hostname: "headscale.example.com"
tls_letsencrypt_cache_dir: ./cache
tls_letsencrypt_challenge_type: HTTP-01
tls_letsencrypt_listen: ":http"
tls_cert_path: ""
tls_key_path: ""
acl_policy_path: "acl.hujson"
unix_socket: /var/run/headscale/headscale.sock
unix_socket_permission: "0770"
randomize_client_port: false
`;

// The 0.23+ layout with the embedded DERP server, local DERP map, extra records, OIDC and TLS.
const CONFIG_029 = `server_url: https://hs.example.com
listen_addr: 0.0.0.0:443
metrics_listen_addr: 127.0.0.1:9090
grpc_listen_addr: 127.0.0.1:50443
noise:
  private_key_path: /var/lib/headscale/noise_private.key
prefixes:
  v4: 100.64.0.0/10
  v6: fd7a:115c:a1e0::/48
derp:
  server:
    enabled: true
    region_id: 999
    stun_listen_addr: "0.0.0.0:3478"
    private_key_path: /var/lib/headscale/derp_server_private.key
    automatically_add_embedded_derp_region: true
    ipv4: 198.51.100.1
  urls:
    - https://controlplane.tailscale.com/derpmap/default
  paths:
    - /etc/headscale/derp.yaml
  auto_update_enabled: true
database:
  type: sqlite
  sqlite:
    path: /var/lib/headscale/db.sqlite
    write_ahead_log: true
tls_letsencrypt_hostname: hs.example.com
tls_cert_path: /etc/ssl/hs.pem
tls_key_path: /etc/ssl/hs.key
policy:
  mode: file
  path: /etc/headscale/policy.hujson
dns:
  magic_dns: true
  base_domain: example.com
  extra_records_path: /var/lib/headscale/extra-records.json
unix_socket: /var/run/headscale/headscale.sock
oidc:
  issuer: https://sso.example.com
  client_secret_path: /etc/headscale/oidc_secret
`;

function rewrite(text: string) {
  const config = rewriteConfigForSandbox(text, { liveConfigPath: '/etc/headscale/config.yaml', dir: DIR, ports: PORTS });
  return { ...config, tree: parse(config.text) as Record<string, any> };
}

describe('sandbox config of the 0.22 layout', () => {
  const { tree, text, copies, databasePath, socketPath, policyPath, notes } = rewrite(CONFIG_022);

  it('points files into the sandbox', () => {
    expect(tree.db_path).toBe(`${DIR}/db.sqlite`);
    expect(databasePath).toBe(`${DIR}/db.sqlite`);
    expect(tree.private_key_path).toBe(`${DIR}/private.key`);
    expect(tree.noise.private_key_path).toBe(`${DIR}/noise_private.key`);
    expect(tree.acl_policy_path).toBe(`${DIR}/acl-policy.hujson`);
    expect(policyPath).toBe(`${DIR}/acl-policy.hujson`);
    expect(tree.unix_socket).toBe(`${DIR}/headscale.sock`);
    expect(socketPath).toBe(`${DIR}/headscale.sock`);
  });

  it('keeps the legacy layout', () => {
    expect(tree.database).toBeUndefined();
    expect(tree.db_type).toBe('sqlite3');
    expect(tree.randomize_client_port).toBe(false);
    expect(text).toContain('# headscale will look for a configuration file named `config.yaml`');
  });

  it('copies relative paths from the config folder', () => {
    expect(copies).toEqual([
      { source: '/etc/headscale/noise_private.key', target: `${DIR}/noise_private.key` },
      { source: '/etc/headscale/private.key', target: `${DIR}/private.key` },
      { source: '/etc/headscale/acl.hujson', target: `${DIR}/acl-policy.hujson` },
    ]);
  });

  it('listens on loopback only', () => {
    expect(tree.server_url).toBe('http://127.0.0.1:41001');
    expect(tree.listen_addr).toBe('127.0.0.1:41001');
    expect(tree.metrics_listen_addr).toBe('127.0.0.1:41002');
    expect(tree.grpc_listen_addr).toBe('127.0.0.1:41003');
    expect(tree.derp.server.stun_listen_addr).toBe('127.0.0.1:41004');
  });

  it('turns off certificates and the update check', () => {
    for (const key of ['tls_letsencrypt_hostname', 'tls_letsencrypt_cache_dir', 'tls_letsencrypt_challenge_type', 'tls_letsencrypt_listen', 'tls_cert_path', 'tls_key_path']) {
      expect(tree, key).not.toHaveProperty(key);
    }
    expect(tree.disable_check_updates).toBe(true);
  });

  it('keeps the DERP map download without the embedded server', () => {
    expect(tree.derp.urls).toEqual(['https://controlplane.tailscale.com/derpmap/default']);
    expect(tree.derp.auto_update_enabled).toBe(true);
    expect(notes).toEqual(['The embedded DERP server is off, so the rehearsal downloads the DERP map from `derp.urls` as production does.']);
  });
});

describe('sandbox config of the 0.23+ layout', () => {
  const { tree, copies, databasePath, policyPath, notes } = rewrite(CONFIG_029);

  it('points files into the sandbox', () => {
    expect(tree.database.sqlite.path).toBe(`${DIR}/db.sqlite`);
    expect(databasePath).toBe(`${DIR}/db.sqlite`);
    expect(tree.database.sqlite.write_ahead_log).toBe(true);
    expect(tree.noise.private_key_path).toBe(`${DIR}/noise_private.key`);
    expect(tree.derp.server.private_key_path).toBe(`${DIR}/derp_server_private.key`);
    expect(tree.policy).toEqual({ mode: 'file', path: `${DIR}/policy.hujson` });
    expect(policyPath).toBe(`${DIR}/policy.hujson`);
    expect(tree.derp.paths).toEqual([`${DIR}/inputs/derp-map-0-derp.yaml`]);
    expect(tree.dns.extra_records_path).toBe(`${DIR}/inputs/extra-records`);
    expect(tree.oidc.client_secret_path).toBe(`${DIR}/inputs/oidc-client-secret`);
    expect(tree.unix_socket).toBe(`${DIR}/headscale.sock`);
    expect(tree).not.toHaveProperty('db_path');
  });

  it('copies every file it names', () => {
    expect(copies.map((copy) => copy.source)).toEqual([
      '/var/lib/headscale/noise_private.key',
      '/var/lib/headscale/derp_server_private.key',
      '/etc/headscale/policy.hujson',
      '/var/lib/headscale/extra-records.json',
      '/etc/headscale/oidc_secret',
      '/etc/headscale/derp.yaml',
    ]);
    for (const copy of copies) expect(copy.target.startsWith(`${DIR}/`)).toBe(true);
  });

  it('uses only the embedded DERP region', () => {
    expect(tree.derp.urls).toEqual([]);
    expect(tree.derp.auto_update_enabled).toBe(false);
    expect(tree.derp.server.stun_listen_addr).toBe('127.0.0.1:41004');
    expect(notes).toEqual(['OIDC is configured, so the rehearsal contacts the OIDC issuer as production does.']);
  });

  it('turns off TLS', () => {
    expect(tree).not.toHaveProperty('tls_letsencrypt_hostname');
    expect(tree).not.toHaveProperty('tls_cert_path');
    expect(tree).not.toHaveProperty('tls_key_path');
    expect(tree.server_url).toBe('http://127.0.0.1:41001');
  });
});

describe('sandbox config of a minimal config', () => {
  it('adds the socket and listeners that the config leaves to defaults', () => {
    const { tree, copies } = rewrite('database:\n  type: sqlite\n  sqlite:\n    path: db.sqlite\n');

    expect(tree.unix_socket).toBe(`${DIR}/headscale.sock`);
    expect(tree.listen_addr).toBe('127.0.0.1:41001');
    expect(tree.metrics_listen_addr).toBe('127.0.0.1:41002');
    expect(tree.grpc_listen_addr).toBe('127.0.0.1:41003');
    expect(tree).not.toHaveProperty('derp');
    expect(copies).toEqual([]);
  });

  it('adds database.sqlite.path to an empty config', () => {
    expect(rewrite('').tree.database).toEqual({ sqlite: { path: `${DIR}/db.sqlite` } });
  });

  it('leaves empty paths empty', () => {
    const { tree, copies } = rewrite('database:\n  sqlite:\n    path: /db\npolicy:\n  path: ""\n');

    expect(tree.policy.path).toBe('');
    expect(copies).toEqual([]);
  });

  it('rejects YAML that is not a mapping', () => {
    expect(() => rewrite('- a\n- b\n')).toThrow(/cannot read the Headscale config \/etc\/headscale\/config.yaml: the top level is not a mapping/);
  });
});
