import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { diffLines, unifiedDiff } from '../../src/judge/preflight/line-diff.js';
import { nodeProcessRunner } from '../../src/platform/exec.js';

const LABELS = { old: 'a.yaml', new: 'b.yaml' };

/** Pairs of texts whose diff GNU patch must turn one into the other. */
const PAIRS: Array<[string, string, string]> = [
  ['one changed line', 'a\nb\nc\n', 'a\nB\nc\n'],
  ['insert at the start', 'a\nb\n', 'x\na\nb\n'],
  ['append at the end', 'a\nb\n', 'a\nb\nc\nd\n'],
  ['delete everything', 'a\nb\n', ''],
  ['from empty', '', 'a\n'],
  ['two hunks far apart', `${Array.from({ length: 30 }, (_, i) => `line${i}`).join('\n')}\n`, `${Array.from({ length: 30 }, (_, i) => (i === 2 || i === 25 ? `LINE${i}` : `line${i}`)).join('\n')}\n`],
  ['blank lines between rewrites', 'k1: a\n\nk2: b\n\nk3: c\n', 'n1: a\n\nn2: b\n\nk3: c\n'],
];

describe('unifiedDiff', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'headsup-line-diff-'));
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(PAIRS)('%s applies with patch', async (name, oldText, newText) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.txt`);
    const diff = unifiedDiff(oldText, newText, LABELS);
    await writeFile(file, oldText);
    await writeFile(`${file}.diff`, diff);
    const result = await nodeProcessRunner.run('patch', ['--quiet', '--force', file, `${file}.diff`]);

    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(newText);
  });

  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', LABELS)).toBe('');
  });

  it('writes headers, ranges and context', () => {
    expect(unifiedDiff('a\nb\nc\nd\ne\n', 'a\nb\nC\nd\ne\n', LABELS, 1)).toBe('--- a.yaml\n+++ b.yaml\n@@ -2,3 +2,3 @@\n b\n-c\n+C\n d\n');
  });

  it('writes an empty range as the line before it', () => {
    expect(unifiedDiff('a\nb\n', 'a\nx\nb\n', LABELS, 0)).toBe('--- a.yaml\n+++ b.yaml\n@@ -1,0 +2 @@\n+x\n');
  });

  it('joins rewrites across one blank line', () => {
    const ops = diffLines(['k1: a', '', 'k2: b'], ['n1: a', '', 'n2: b']).map((edit) => edit.op);

    expect(ops).toEqual(['delete', 'delete', 'delete', 'insert', 'insert', 'insert']);
  });
});
