import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { loadConfig, parseConfigText } from './load.js';

const minimalInstance = `
instances:
  hs1:
    binary: ./bin/headscale
    config: /etc/headscale/config.yaml
    health_url: http://127.0.0.1:8080/health
    service: { systemd: headscale.service }
`;

function errorOf(text: string): ConfigError {
  try {
    parseConfigText(text, '/etc/headsup/config.yaml', {});
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config loader', () => {
  it('applies defaults and resolves relative paths', () => {
    const config = parseConfigText(minimalInstance, '/etc/headsup/config.yaml', {});
    const instance = config.instances.get('hs1')!;

    expect(instance.binary).toBe('/etc/headsup/bin/headscale');
    expect(instance.environment).toBe('production');
    expect(instance.health).toEqual({ passes: 3, interval: 1000, timeout: 90_000 });
    expect(config.github.repository).toBe('juanfont/headscale');
    expect(config.github.api_url).toBe('https://api.github.com');
    expect(config.backupsKeep).toBe(10);
  });

  it('rejects an unknown key with a suggestion', () => {
    const error = errorOf(`${minimalInstance}    helth: { passes: 2 }\n`);

    expect(error.message).toContain('instances.hs1.helth: unknown key; did you mean "health"?');
    expect(error.exitCode).toBe(2);
  });

  it('names the key path and the bad value', () => {
    const error = errorOf(minimalInstance.replace('http://127.0.0.1:8080/health', 'ftp://127.0.0.1/health'));

    expect(error.message).toContain('instances.hs1.health_url: expected an http:// or https:// URL');
    expect(error.message).toContain('(got "ftp://127.0.0.1/health")');
  });

  it('rejects an invalid duration with the accepted units', () => {
    const error = errorOf(`${minimalInstance}    health: { timeout: 5 minutes }\n`);

    expect(error.message).toContain('instances.hs1.health.timeout: invalid duration "5 minutes"');
    expect(error.message).not.toContain('(got');
  });

  it('asks for a unit on a bare number', () => {
    const error = errorOf(`${minimalInstance}    health: { interval: 1 }\n`);

    expect(error.message).toContain('instances.hs1.health.interval: expected a duration with a unit, for example 30s, 500ms or 2h (got 1)');
  });

  it('reports a missing required key', () => {
    const error = errorOf(minimalInstance.replace('    binary: ./bin/headscale\n', ''));

    expect(error.message).toContain('instances.hs1.binary: missing; this key is required');
  });

  it('explains the two service forms', () => {
    const error = errorOf(minimalInstance.replace('{ systemd: headscale.service }', '{ start: "x" }'));

    expect(error.message).toContain('instances.hs1.service.stop: missing; this key is required');
  });

  it('reports a typo in the service commands', () => {
    const error = errorOf(minimalInstance.replace('{ systemd: headscale.service }', '{ strat: "sv up hs", stop: "sv down hs" }'));

    expect(error.message).toContain('instances.hs1.service.strat: unknown key; did you mean "start"?');
  });

  it('names the range of a count', () => {
    const error = errorOf(`${minimalInstance}backups: { keep: ten }\n`);

    expect(error.message).toContain('backups.keep: expected a whole number from 1 to 1000 (got "ten")');
  });

  it('accepts a command-supervised service', () => {
    const config = parseConfigText(minimalInstance.replace('{ systemd: headscale.service }', '{ start: "sv up hs", stop: "sv down hs", status: "sv status hs" }'), '/x/c.yaml', {});

    expect(config.instances.get('hs1')!.service).toEqual({ start: 'sv up hs', stop: 'sv down hs', status: 'sv status hs' });
  });

  it('reports invalid YAML with the file name', () => {
    const error = errorOf('instances: [unclosed');

    expect(error.message).toMatch(/^\/etc\/headsup\/config.yaml is not valid YAML/);
  });

  it('fails on an explicit path that does not exist', () => {
    expect(() => loadConfig('/nonexistent/headsup.yaml', {})).toThrow(/config file \/nonexistent\/headsup.yaml not found/);
  });

  it('runs on embedded defaults without a file', () => {
    const home = mkdtempSync(join(tmpdir(), 'headsup-config-'));
    const config = loadConfig(undefined, { XDG_CONFIG_HOME: home, XDG_STATE_HOME: join(home, 'state') });

    expect(config.source).toBeNull();
    expect(config.instances.size).toBe(0);
    expect(config.statePath).toBe(join(home, 'state', 'headsup', 'state.db'));
  });

  it('reads HEADSUP_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headsup-config-'));
    const path = join(dir, 'config.yaml');
    writeFileSync(path, `${minimalInstance}state: ./state.db\n`);

    const config = loadConfig(undefined, { HEADSUP_CONFIG: path });
    expect(config.source).toBe(path);
    expect(config.statePath).toBe(join(dir, 'state.db'));
  });
});

describe('secrets in config errors', () => {
  it('does not repeat an invalid webhook URL', () => {
    const secret = 'hooks.example.invalid/T000/B000/abcdefsecret';
    expect(() => parseConfigText(`alerts:\n  - webhook: { url: "${secret}" }\n`, '/etc/headsup/config.yaml', {})).toThrow(/alerts\.0\.webhook\.url: .*value not shown/);
    try {
      parseConfigText(`alerts:\n  - webhook: { url: "${secret}" }\n`, '/etc/headsup/config.yaml', {});
    } catch (error) {
      expect((error as Error).message).not.toContain('abcdefsecret');
    }
  });
});
