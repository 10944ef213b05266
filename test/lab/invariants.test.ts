import { describe, expect, it } from 'vitest';

import { requireVersion } from '../../src/judge/version.js';
import { cliDialect } from './cli-dialect.js';
import { normaliseNodes, normalisePreAuthKeys, normaliseUsers, timestamp } from './invariants.js';

// Literal `-o json` output of the same data on 0.27.1 and, after an in-place upgrade, on 0.28.0
// and 0.29.2 (secrets and keys shortened).
const ALICE = { id: 1, name: 'alice', created_at: { seconds: 1796415220, nanos: 77740384 } };
const TAGGED_DEVICES = { id: 2147455555, name: 'tagged-devices', created_at: { seconds: -62135596800 }, display_name: 'Tagged Devices' };

const NODE_027 = {
  id: 1,
  machine_key: 'mkey:5c10',
  node_key: 'nodekey:18c5',
  disco_key: 'discokey:0000',
  ip_addresses: ['100.64.0.1', 'fd7a:115c:a1e0::1'],
  name: 'n1',
  user: ALICE,
  last_seen: { seconds: -62135596800 },
  expiry: { seconds: -62135596800 },
  created_at: { seconds: 1796415220, nanos: 224715907 },
  register_method: 2,
  forced_tags: ['tag:lab-server'],
  valid_tags: ['tag:lab-server'],
  given_name: 'n1',
};

const NODE_028 = {
  id: 1,
  machine_key: 'mkey:5c10',
  node_key: 'nodekey:18c5',
  disco_key: 'discokey:0000',
  ip_addresses: ['100.64.0.1', 'fd7a:115c:a1e0::1'],
  name: 'n1',
  user: TAGGED_DEVICES,
  last_seen: { seconds: 1796415300, nanos: 1 },
  expiry: { seconds: -62135596800 },
  created_at: { seconds: 1796415220, nanos: 224715907 },
  register_method: 2,
  given_name: 'n1',
  tags: ['tag:lab-server'],
};

// 0.29 migrates the zero expiry to NULL, so the field disappears.
const { expiry: _expiry, ...NODE_029 } = NODE_028;

describe('normaliseNodes', () => {
  it('equates a tagged node across 0.27, 0.28 and 0.29', () => {
    const on027 = normaliseNodes([NODE_027]);

    expect(normaliseNodes([NODE_028])).toEqual(on027);
    expect(normaliseNodes([NODE_029])).toEqual(on027);
  });

  it('drops the owner of a tagged node', () => {
    const [node] = normaliseNodes([NODE_027]);

    expect(node?.owner).toBeNull();
    expect(node?.tags).toEqual(['tag:lab-server']);
  });

  it('keeps the owner of an untagged node', () => {
    const { forced_tags: _forced, valid_tags: _valid, ...untagged } = NODE_027;

    const [node] = normaliseNodes([untagged]);

    expect(node?.owner).toBe('alice');
    expect(node?.tags).toEqual([]);
  });

  it('reads zero and absent expiry as none', () => {
    expect(normaliseNodes([NODE_028])[0]?.expiry).toBeNull();
    expect(normaliseNodes([NODE_029])[0]?.expiry).toBeNull();
  });

  it('sorts by ID and reads null as empty', () => {
    expect(normaliseNodes([{ ...NODE_028, id: 2 }, NODE_028]).map((node) => node.id)).toEqual([1, 2]);
    expect(normaliseNodes(null)).toEqual([]);
  });

  it('ignores live state and rotating keys', () => {
    const reconnected = { ...NODE_028, last_seen: { seconds: 1896415300 }, online: true, node_key: 'nodekey:ffff', disco_key: 'discokey:ffff' };

    expect(normaliseNodes([reconnected])).toEqual(normaliseNodes([NODE_028]));
  });

  it('rejects output that is not a list', () => {
    expect(() => normaliseNodes({ error: 'rpc error' })).toThrow(/expected a JSON list/);
  });
});

describe('normalisePreAuthKeys', () => {
  const legacy = {
    user: ALICE,
    id: 2,
    key: '7a28cf0bdd8fa5350f026814852ad8600bd1777602a4cf73',
    ephemeral: true,
    expiration: { seconds: 1796588020, nanos: 146418811 },
    created_at: { seconds: 1796415220, nanos: 149516513 },
  };

  it('ignores the key secret', () => {
    const masked = { ...legacy, key: 'hskey-auth-aPJdIchGBhBt-***' };

    expect(normalisePreAuthKeys([masked])).toEqual(normalisePreAuthKeys([legacy]));
  });

  it('reads left-out booleans as false', () => {
    expect(normalisePreAuthKeys([legacy])).toEqual([
      {
        id: 2,
        user: 'alice',
        reusable: false,
        ephemeral: true,
        used: false,
        expiration: '2026-12-06T20:13:40.146Z',
        tags: [],
        createdAt: '2026-12-04T20:13:40.149Z',
      },
    ]);
  });

  it('reads acl_tags as tags', () => {
    expect(normalisePreAuthKeys([{ ...legacy, acl_tags: ['tag:lab-ci'] }])[0]?.tags).toEqual(['tag:lab-ci']);
  });
});

describe('normaliseUsers', () => {
  it('keeps ID, name and creation time', () => {
    expect(normaliseUsers([ALICE])).toEqual([{ id: 1, name: 'alice', createdAt: '2026-12-04T20:13:40.077Z' }]);
  });
});

describe('timestamp', () => {
  it.each([
    [undefined, null],
    [null, null],
    [{ seconds: -62135596800 }, null],
    ['0001-01-01T00:00:00Z', null],
    [{ seconds: 0 }, '1970-01-01T00:00:00.000Z'],
    [{ seconds: 1796415220, nanos: 999999999 }, '2026-12-04T20:13:40.999Z'],
    ['2026-12-04T20:13:40.5Z', '2026-12-04T20:13:40.500Z'],
  ])('converts %j', (input, expected) => {
    expect(timestamp(input)).toBe(expected);
  });
});

describe('cliDialect', () => {
  it('registers through nodes register up to 0.28', () => {
    const dialect = cliDialect(requireVersion('0.28.0'));

    expect(dialect.registerArgs('alice', 'x')).toEqual(['nodes', 'register', '--user', 'alice', '--key', 'x']);
    expect(dialect.newRegistrationId()).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });

  it('registers through auth register from 0.29', () => {
    const dialect = cliDialect(requireVersion('0.29.2'));

    expect(dialect.registerArgs('alice', 'x')).toEqual(['auth', 'register', '--auth-id', 'x', '--user', 'alice']);
    expect(dialect.newRegistrationId()).toMatch(/^hskey-authreq-[A-Za-z0-9_-]{24}$/);
  });

  it('lists pre-auth keys per user up to 0.27', () => {
    expect(cliDialect(requireVersion('0.27.1')).preAuthKeysListArgs(3)).toEqual(['preauthkeys', 'list', '--user', '3']);
    expect(cliDialect(requireVersion('0.28.0')).preAuthKeysListArgs()).toEqual(['preauthkeys', 'list']);
  });

  it('rejects versions before 0.26', () => {
    expect(() => cliDialect(requireVersion('0.25.1'))).toThrow(/0\.26 and later/);
  });
});
