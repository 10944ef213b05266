import { describe, expect, it } from 'vitest';
import { requireVersion } from '../judge/version.js';
import { diffSnapshots, formatDifferences, unexpectedDifferences, type ExpectedChange } from './diff.js';
import { EXPECTED_CHANGES, expectedChangesBetween } from './expected-changes.js';
import type { NodeSnapshot, Snapshot } from './snapshot.js';

const NODE: NodeSnapshot = {
  id: 3,
  name: 'node-1',
  givenName: 'node-1',
  owner: 'alice',
  ipAddresses: ['100.64.0.3', 'fd7a:115c:a1e0::3'],
  tags: [],
  machineKey: 'mkey:01',
  expiry: null,
  createdAt: '2026-12-04T20:13:40.224Z',
  advertisedRoutes: ['10.1.0.0/16'],
  approvedRoutes: ['10.1.0.0/16'],
};

const BEFORE: Snapshot = {
  users: [{ id: 1, name: 'alice', createdAt: '2026-12-04T20:13:40.077Z' }],
  nodes: [NODE],
  preAuthKeys: [{ id: 2, user: 'alice', reusable: true, ephemeral: false, used: false, expiration: null, tags: [], createdAt: null }],
  apiKeys: [{ id: 1, prefix: 'hskey-api-8mktPgI7N3Fc', expiration: null, createdAt: null }],
  policy: { source: 'file', sha256: 'aa' },
};

function withNode(node: Partial<NodeSnapshot>): Snapshot {
  return { ...BEFORE, nodes: [{ ...NODE, ...node }] };
}

describe('diffSnapshots', () => {
  it('finds nothing in equal snapshots', () => {
    expect(diffSnapshots(BEFORE, structuredClone(BEFORE), [])).toEqual([]);
  });

  it('names entity, field and values', () => {
    expect(diffSnapshots(BEFORE, withNode({ approvedRoutes: [] }), [])).toEqual([
      { kind: 'node', entity: 'node 3 (node-1)', field: 'approvedRoutes', before: ['10.1.0.0/16'], after: [], expectedReason: null },
    ]);
  });

  it('reports a missing and an added entity', () => {
    const after = { ...BEFORE, users: [{ id: 4, name: 'bob', createdAt: null }] };

    expect(diffSnapshots(BEFORE, after, []).map((difference) => [difference.entity, difference.field, difference.before, difference.after])).toEqual([
      ['user 1 (alice)', 'exists', true, false],
      ['user 4 (bob)', 'exists', false, true],
    ]);
  });

  it('reports a changed and a removed policy', () => {
    expect(diffSnapshots(BEFORE, { ...BEFORE, policy: { source: 'file', sha256: 'bb' } }, [])[0]).toMatchObject({ entity: 'policy', field: 'sha256', before: 'aa', after: 'bb' });
    expect(diffSnapshots(BEFORE, { ...BEFORE, policy: null }, [])[0]).toMatchObject({ entity: 'policy', field: 'exists', before: true, after: false });
  });

  it('labels keys by user and prefix', () => {
    const after = { ...BEFORE, preAuthKeys: [], apiKeys: [] };

    expect(diffSnapshots(BEFORE, after, []).map((difference) => difference.entity)).toEqual(['pre-auth key 2 (alice)', 'API key 1 (hskey-api-8mktPgI7N3Fc)']);
  });
});

describe('expected changes', () => {
  const tagged = { ...NODE, tags: ['tag:server'] };
  const taggedBefore: Snapshot = { ...BEFORE, nodes: [tagged] };
  const taggedAfter: Snapshot = { ...BEFORE, nodes: [{ ...tagged, owner: null }] };

  it('marks the owner of a tagged node across 0.28', () => {
    const differences = diffSnapshots(taggedBefore, taggedAfter, expectedChangesBetween(requireVersion('0.27.1'), requireVersion('0.28.0')));

    expect(differences).toHaveLength(1);
    expect(differences[0]?.expectedReason).toMatch(/^from 0\.28 a tagged node belongs to its tags/);
    expect(unexpectedDifferences(differences)).toEqual([]);
  });

  it('does not cover an untagged node', () => {
    const differences = diffSnapshots(BEFORE, withNode({ owner: null }), EXPECTED_CHANGES);

    expect(unexpectedDifferences(differences)).toHaveLength(1);
  });

  it('applies only to upgrades that cross the version', () => {
    const between = (from: string, to: string) => expectedChangesBetween(requireVersion(from), requireVersion(to)).length;

    expect(between('0.26.1', '0.27.1')).toBe(0);
    expect(between('0.26.1', '0.28.0')).toBe(1);
    expect(between('0.27.1', '0.28.0')).toBe(1);
    expect(between('0.28.0', '0.29.2')).toBe(0);
  });

  it('matches the declared field only', () => {
    const declaration: ExpectedChange = { fromBelow: '0.28.0', toAtLeast: '0.28.0', entity: 'node', field: 'tags', reason: 'tags move' };

    expect(unexpectedDifferences(diffSnapshots(taggedBefore, taggedAfter, [declaration]))).toHaveLength(1);
  });
});

describe('formatDifferences', () => {
  it('lists unexpected before expected differences', () => {
    const expected: ExpectedChange = { fromBelow: '0.28.0', toAtLeast: '0.28.0', entity: 'user', field: 'exists', reason: 'users go' };
    const after: Snapshot = { ...withNode({ givenName: 'renamed' }), users: [] };

    expect(formatDifferences(diffSnapshots(BEFORE, after, [expected]))).toBe(
      ['node 3 (node-1): givenName changed from "node-1" to "renamed"', 'user 1 (alice) is missing after the upgrade (expected: users go)'].join('\n'),
    );
  });

  it('writes lists in brackets', () => {
    expect(formatDifferences(diffSnapshots(BEFORE, withNode({ tags: ['tag:a', 'tag:b'] }), []))).toBe('node 3 (node-1): tags changed from [] to ["tag:a", "tag:b"]');
  });

  it('says when there is nothing', () => {
    expect(formatDifferences([])).toBe('no differences');
  });
});
