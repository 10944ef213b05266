import { isMap, isScalar, isSeq, Pair, Scalar, YAMLMap, type Document, type Node } from 'yaml';

/**
 * Edits of a parsed Headscale config that keep comments and key order. Keys match
 * case-insensitively, as Headscale's config loader (viper) matches them.
 */
export type KeyPath = readonly string[];

/** Character offset in the original text of each moved key, or of the key a created map was made for. */
const origins = new WeakMap<Pair, number>();
/** Maps created by movePath; keys moved into one are kept in the order of the original text. */
const createdByMove = new WeakSet<YAMLMap>();

export interface LocatedPair {
  /** The maps from the root down to the one holding the pair. */
  maps: YAMLMap[];
  pair: Pair<Scalar, unknown>;
  index: number;
}

export function pathOf(dotted: string): KeyPath {
  return dotted.split('.');
}

export function rootMap(doc: Document): YAMLMap {
  if (!isMap(doc.contents)) throw new Error('the config is not a YAML mapping');
  return doc.contents;
}

export function findPair(doc: Document, path: KeyPath): LocatedPair | null {
  const maps: YAMLMap[] = [rootMap(doc)];
  for (let depth = 0; depth < path.length; depth++) {
    const map = maps[maps.length - 1]!;
    const index = indexOfKey(map, path[depth]!);
    if (index < 0) return null;

    const pair = map.items[index] as Pair<Scalar, unknown>;
    if (depth === path.length - 1) return { maps, pair, index };
    if (!isMap(pair.value)) return null;

    maps.push(pair.value);
  }

  return null;
}

/** Returns the value at `path` as plain data, or undefined when the key is absent. */
export function valueAt(doc: Document, path: KeyPath): unknown {
  const located = findPair(doc, path);
  if (!located) return undefined;

  const value = located.pair.value as Node | null;
  if (value === null || value === undefined) return null;
  return isScalar(value) || isMap(value) || isSeq(value) ? value.toJSON() : value;
}

/** Positions of the keys along `path` (e.g. `[12, 3]`), to sort keys in the order the file lists them. */
export function positionOf(doc: Document, path: KeyPath): number[] {
  const positions: number[] = [];
  for (let depth = 1; depth <= path.length; depth++) {
    const located = findPair(doc, path.slice(0, depth));
    if (!located) return positions;
    positions.push(located.index);
  }

  return positions;
}

export function hasPath(doc: Document, path: KeyPath): boolean {
  return findPair(doc, path) !== null;
}

/**
 * Removes the pair at `path` with the comments above it, which describe the removed key. Maps
 * left empty by the removal go too, and their own comments pass to the next key.
 */
export function removePath(doc: Document, path: KeyPath): Pair | null {
  const located = findPair(doc, path);
  if (!located) return null;

  const { maps, index } = located;
  const map = maps[maps.length - 1]!;
  const [removed] = map.items.splice(index, 1);
  pruneEmpty(doc, path.slice(0, -1));

  return removed ?? null;
}

/**
 * Moves the value at `from` to `to`, with the comments of its key. Missing parent maps are created:
 * a new top-level map goes where the moved key's top-level ancestor is, and a nested one at the
 * end of its parent. Maps emptied by the move are removed, and their comments pass to the next key.
 * Returns false, and changes nothing, when `to` already exists.
 */
export function movePath(doc: Document, from: KeyPath, to: KeyPath): boolean {
  const source = findPair(doc, from);
  if (!source || hasPath(doc, to)) return false;

  const topLevelSource = source.maps.length === 1;
  const anchor = topLevelSource ? source.index : indexOfKey(rootMap(doc), from[0]!) + 1;
  const createsTopLevel = to.length > 1 && !hasPath(doc, to.slice(0, 1));
  const origin = originOf(source.pair);
  const target = ensureMap(doc, to.slice(0, -1), anchor, origin);
  if (createsTopLevel && topLevelSource && isScalar(source.pair.key) && source.pair.key.spaceBefore) {
    // The new map takes the moved key's place, so it takes the blank line above it too.
    (rootMap(doc).items[anchor]!.key as Scalar).spaceBefore = true;
  }
  const key = new Scalar(to[to.length - 1]!);
  copyComments(source.pair.key, key, target.items.length === 0);
  const moved = new Pair(key, source.pair.value);

  const sourceMap = source.maps[source.maps.length - 1]!;
  sourceMap.items.splice(sourceMap.items.indexOf(source.pair), 1);
  insertMoved(target, moved, origin);
  pruneEmpty(doc, from.slice(0, -1));

  return true;
}

/**
 * Sets `path` to `value`, keeping the key's comments when it exists. A missing pair is appended to
 * its parent map, and a missing top-level map is appended to the document.
 */
export function setPath(doc: Document, path: KeyPath, value: unknown): void {
  const located = findPair(doc, path);
  if (located) {
    const old = located.pair.value;
    const node = doc.createNode(value) as Node;
    if (isScalar(old) && isScalar(node)) node.comment = old.comment;
    located.pair.value = node;
    return;
  }

  const parent = ensureMap(doc, path.slice(0, -1), rootMap(doc).items.length);
  parent.items.push(new Pair(new Scalar(path[path.length - 1]!), doc.createNode(value)));
}

/**
 * Moves the comment that yaml attaches to a nested block map (the comment lines above its first
 * key) onto that first key, so that the comment travels with the key when the key moves. The
 * printed text is the same.
 */
export function attachLeadingComments(doc: Document): void {
  const visit = (map: YAMLMap): void => {
    for (const item of map.items) {
      const value = item.value;
      if (!isMap(value)) continue;

      const first = value.items[0];
      if (value.commentBefore && first && isScalar(first.key)) {
        first.key.commentBefore = first.key.commentBefore ? `${value.commentBefore}\n${first.key.commentBefore}` : value.commentBefore;
        value.commentBefore = undefined;
      }
      visit(value);
    }
  };
  visit(rootMap(doc));
}

function indexOfKey(map: YAMLMap, key: string): number {
  const lowered = key.toLowerCase();
  return map.items.findIndex((pair) => isScalar(pair.key) && String(pair.key.value).toLowerCase() === lowered);
}

function originOf(pair: Pair): number | undefined {
  return origins.get(pair) ?? (isScalar(pair.key) ? pair.key.range?.[0] : undefined);
}

/** Appends `pair`, or in a map made by movePath puts it before the first key that stood after it. */
function insertMoved(map: YAMLMap, pair: Pair, origin: number | undefined): void {
  if (origin !== undefined) origins.set(pair, origin);

  const later = createdByMove.has(map) && origin !== undefined ? map.items.findIndex((item) => (originOf(item) ?? -1) > origin) : -1;
  if (later < 0) map.items.push(pair);
  else map.items.splice(later, 0, pair);
}

/**
 * Walks `path` from the root and creates the block maps that are missing. A new top-level map goes
 * at `rootIndex`. A nested one is placed by insertMoved, as a key from `origin` would be.
 */
function ensureMap(doc: Document, path: KeyPath, rootIndex: number, origin?: number): YAMLMap {
  let map = rootMap(doc);
  for (let depth = 0; depth < path.length; depth++) {
    const index = indexOfKey(map, path[depth]!);
    if (index >= 0) {
      const value = map.items[index]!.value;
      if (!isMap(value)) throw new Error(`cannot add keys under ${path.slice(0, depth + 1).join('.')}: it is not a mapping`);
      map = value;
      continue;
    }

    const child = new YAMLMap();
    createdByMove.add(child);
    const pair = new Pair(new Scalar(path[depth]!), child);
    if (depth === 0) map.items.splice(Math.min(rootIndex, map.items.length), 0, pair);
    else insertMoved(map, pair, origin);
    map = child;
  }

  return map;
}

/** Removes maps along `path` that have no keys left, deepest first; a section comment passes to the next key. */
function pruneEmpty(doc: Document, path: KeyPath): void {
  for (let depth = path.length; depth > 0; depth--) {
    const located = findPair(doc, path.slice(0, depth));
    if (!located || !isMap(located.pair.value) || located.pair.value.items.length > 0) return;

    const map = located.maps[located.maps.length - 1]!;
    map.items.splice(located.index, 1);
    const next = map.items[located.index];
    if (next && isScalar(next.key)) copyComments(located.pair.key, next.key, false);
  }
}

/** Prepends the comments of `from` to `to`; the blank line before `from` is kept unless `to` opens a new map. */
function copyComments(from: unknown, to: Scalar, opensMap: boolean): void {
  if (!isScalar(from)) return;

  if (from.commentBefore) to.commentBefore = to.commentBefore ? `${from.commentBefore}\n${to.commentBefore}` : from.commentBefore;
  if (from.comment) to.comment = from.comment;
  if (from.spaceBefore && !opensMap) to.spaceBefore = true;
}
