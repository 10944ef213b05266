import type { ApiKeySnapshot, NodeSnapshot, PolicySnapshot, PreAuthKeySnapshot, Snapshot, UserSnapshot } from './snapshot.js';

/** The record type of each kind of entity in a snapshot. */
export interface EntityTypes {
  user: UserSnapshot;
  node: NodeSnapshot;
  preAuthKey: PreAuthKeySnapshot;
  apiKey: ApiKeySnapshot;
  policy: PolicySnapshot;
}

export type EntityKind = keyof EntityTypes;

/** The field name a difference carries when a whole entity appeared or disappeared. */
export const EXISTS_FIELD = 'exists';

/** One field of one entity that differs between two snapshots. */
export interface SnapshotDifference {
  kind: EntityKind;
  /** The entity as people name it, e.g. `node 3 (node-1)`. */
  entity: string;
  /** A field of the entity, or `exists` when the entity appeared (before false) or disappeared (after false). */
  field: string;
  before: unknown;
  after: unknown;
  /** The reason of the expected-change declaration that covers this difference; null when nothing does. */
  expectedReason: string | null;
}

/**
 * A change that a Headscale version makes to the data on purpose, declared expected with its
 * reason. It covers a difference when the upgrade starts below `fromBelow`, ends at or above
 * `toAtLeast`, the entity kind and field match, and `when` (if given) accepts the entity.
 */
export type ExpectedChange = { [K in EntityKind]: ExpectedChangeOf<K> }[EntityKind];

export interface ExpectedChangeOf<K extends EntityKind> {
  fromBelow: string;
  toAtLeast: string;
  entity: K;
  field: (keyof EntityTypes[K] & string) | typeof EXISTS_FIELD;
  /** Receives the entity before and after; either is null for an `exists` difference. */
  when?: (before: EntityTypes[K] | null, after: EntityTypes[K] | null) => boolean;
  reason: string;
}

/**
 * Compares two snapshots field by field and returns every difference, each marked with the reason
 * of the declaration in `expected` that covers it. `expected` must hold only the declarations
 * that apply to the versions compared; pick them with expectedChangesBetween.
 */
export function diffSnapshots(before: Snapshot, after: Snapshot, expected: readonly ExpectedChange[]): SnapshotDifference[] {
  return [
    ...diffEntities('user', before.users, after.users, expected),
    ...diffEntities('node', before.nodes, after.nodes, expected),
    ...diffEntities('preAuthKey', before.preAuthKeys, after.preAuthKeys, expected),
    ...diffEntities('apiKey', before.apiKeys, after.apiKeys, expected),
    ...diffEntities('policy', policyList(before.policy), policyList(after.policy), expected),
  ];
}

/** Returns the differences that no declaration covers. */
export function unexpectedDifferences(differences: readonly SnapshotDifference[]): SnapshotDifference[] {
  return differences.filter((difference) => difference.expectedReason === null);
}

/**
 * Formats differences for people, one line each, the unexpected ones first, for example
 * `node 3 (node-1): owner changed from "user1" to null`.
 */
export function formatDifferences(differences: readonly SnapshotDifference[]): string {
  if (differences.length === 0) return 'no differences';

  const unexpected = unexpectedDifferences(differences).map(describeDifference);
  const expected = differences.filter((difference) => difference.expectedReason !== null).map((difference) => `${describeDifference(difference)} (expected: ${difference.expectedReason})`);
  return [...unexpected, ...expected].join('\n');
}

export function describeDifference(difference: SnapshotDifference): string {
  if (difference.field === EXISTS_FIELD) {
    return difference.after === false ? `${difference.entity} is missing after the upgrade` : `${difference.entity} appeared after the upgrade`;
  }

  return `${difference.entity}: ${difference.field} changed from ${formatValue(difference.before)} to ${formatValue(difference.after)}`;
}

/** An entity as a plain record; every entity but the policy has a numeric `id`. */
type EntityRecord = Record<string, unknown>;

function diffEntities(kind: EntityKind, before: readonly object[], after: readonly object[], expected: readonly ExpectedChange[]): SnapshotDifference[] {
  const beforeById = byId(before);
  const afterById = byId(after);
  const ids = [...new Set([...beforeById.keys(), ...afterById.keys()])].sort((a, b) => a - b);
  const differences: SnapshotDifference[] = [];

  for (const id of ids) {
    const old = beforeById.get(id) ?? null;
    const current = afterById.get(id) ?? null;
    const entity = entityLabel(kind, (old ?? current)!);
    const record = (field: string, from: unknown, to: unknown) =>
      differences.push({ kind, entity, field, before: from, after: to, expectedReason: reasonFor(expected, kind, field, old, current) });

    if (old === null || current === null) {
      record(EXISTS_FIELD, old !== null, current !== null);
      continue;
    }

    for (const field of fieldsOf(old, current)) {
      if (JSON.stringify(old[field]) !== JSON.stringify(current[field])) record(field, old[field], current[field]);
    }
  }

  return differences;
}

function byId(entities: readonly object[]): Map<number, EntityRecord> {
  return new Map(entities.map((entity) => [Number((entity as EntityRecord).id ?? 0), entity as EntityRecord]));
}

function reasonFor(expected: readonly ExpectedChange[], kind: EntityKind, field: string, before: unknown, after: unknown): string | null {
  const match = expected.find((change) => {
    if (change.entity !== kind || change.field !== field) return false;
    // The declaration's `when` takes the record type of its own kind, which `kind` matched above.
    const when = change.when as ((before: unknown, after: unknown) => boolean) | undefined;
    return when === undefined || when(before, after);
  });
  return match?.reason ?? null;
}

function fieldsOf(before: EntityRecord, after: EntityRecord): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((field) => field !== 'id');
}

function entityLabel(kind: EntityKind, entity: EntityRecord): string {
  switch (kind) {
    case 'user':
      return `user ${entity.id} (${entity.name})`;
    case 'node':
      return `node ${entity.id} (${entity.name})`;
    case 'preAuthKey':
      return `pre-auth key ${entity.id} (${entity.user ?? 'no user'})`;
    case 'apiKey':
      return `API key ${entity.id} (${entity.prefix})`;
    case 'policy':
      return 'policy';
  }
}

function policyList(policy: PolicySnapshot | null): PolicySnapshot[] {
  return policy === null ? [] : [policy];
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;

  return JSON.stringify(value) ?? 'undefined';
}
