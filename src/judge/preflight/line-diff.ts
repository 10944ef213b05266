/** One line of an edit script: kept, removed from the old text, or added by the new one. */
export interface LineEdit {
  op: 'equal' | 'delete' | 'insert';
  line: string;
}

/**
 * Computes a shortest edit script between two line lists from their longest common subsequence.
 * The table takes (a + 1) × (b + 1) cells, which is fine for config files of a few thousand lines.
 */
export function diffLines(a: readonly string[], b: readonly string[]): LineEdit[] {
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }

  const edits: LineEdit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      edits.push({ op: 'equal', line: a[i++]! });
      j++;
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) {
      edits.push({ op: 'delete', line: a[i++]! });
    } else {
      edits.push({ op: 'insert', line: b[j++]! });
    }
  }
  while (i < a.length) edits.push({ op: 'delete', line: a[i++]! });
  while (j < b.length) edits.push({ op: 'insert', line: b[j++]! });

  return joinAcrossBlankLines(edits);
}

/**
 * Turns a single kept blank line between two rewrites (changes that both delete and insert) into a
 * deletion and an insertion. Each change then lists its deletions before its insertions. A
 * rewritten section so reads as one block, not as pieces joined by blank lines.
 */
function joinAcrossBlankLines(edits: LineEdit[]): LineEdit[] {
  const isRewrite = (from: number, step: 1 | -1): boolean => {
    const ops = new Set<LineEdit['op']>();
    for (let k = from; edits[k] !== undefined && edits[k]!.op !== 'equal'; k += step) ops.add(edits[k]!.op);
    return ops.has('delete') && ops.has('insert');
  };
  const marked = edits.map((edit, index) => {
    const lone = edit.op === 'equal' && edit.line.trim() === '' && isRewrite(index - 1, -1) && isRewrite(index + 1, 1);
    return lone ? [{ op: 'delete' as const, line: edit.line }, { op: 'insert' as const, line: edit.line }] : [edit];
  });

  const out: LineEdit[] = [];
  let deletes: LineEdit[] = [];
  let inserts: LineEdit[] = [];
  for (const edit of marked.flat()) {
    if (edit.op === 'delete') deletes.push(edit);
    else if (edit.op === 'insert') inserts.push(edit);
    else {
      out.push(...deletes, ...inserts, edit);
      deletes = [];
      inserts = [];
    }
  }
  out.push(...deletes, ...inserts);

  return out;
}

/** Splits text into lines; a final newline does not start another line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];

  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Writes the difference of two texts in unified diff format (as `diff -u` prints it), with
 * `context` unchanged lines around each change. Returns '' when the texts are equal.
 */
export function unifiedDiff(oldText: string, newText: string, labels: { old: string; new: string }, context = 3): string {
  const edits = diffLines(splitLines(oldText), splitLines(newText));
  const hunks = groupHunks(edits, context);
  if (hunks.length === 0) return '';

  const out = [`--- ${labels.old}`, `+++ ${labels.new}`];
  for (const hunk of hunks) {
    out.push(`@@ -${range(hunk.oldStart, hunk.oldLength)} +${range(hunk.newStart, hunk.newLength)} @@`);
    for (const edit of hunk.edits) out.push(`${edit.op === 'equal' ? ' ' : edit.op === 'delete' ? '-' : '+'}${edit.line}`);
  }

  return `${out.join('\n')}\n`;
}

interface Hunk {
  oldStart: number;
  oldLength: number;
  newStart: number;
  newLength: number;
  edits: LineEdit[];
}

function groupHunks(edits: LineEdit[], context: number): Hunk[] {
  const changed = edits.map((edit, index) => (edit.op === 'equal' ? -1 : index)).filter((index) => index >= 0);
  if (changed.length === 0) return [];

  // Merge changes whose context windows touch, then cut each window out of the edit script.
  const windows: Array<[number, number]> = [];
  for (const index of changed) {
    const start = Math.max(0, index - context);
    const end = Math.min(edits.length - 1, index + context);
    const last = windows.at(-1);
    if (last && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else windows.push([start, end]);
  }

  const hunks: Hunk[] = [];
  let oldLine = 1;
  let newLine = 1;
  let cursor = 0;
  for (const [start, end] of windows) {
    for (; cursor < start; cursor++) advance(edits[cursor]!);

    const hunk: Hunk = { oldStart: oldLine, oldLength: 0, newStart: newLine, newLength: 0, edits: edits.slice(start, end + 1) };
    for (const edit of hunk.edits) {
      if (edit.op !== 'insert') hunk.oldLength++;
      if (edit.op !== 'delete') hunk.newLength++;
    }
    for (; cursor <= end; cursor++) advance(edits[cursor]!);
    hunks.push(hunk);
  }

  return hunks;

  function advance(edit: LineEdit): void {
    if (edit.op !== 'insert') oldLine++;
    if (edit.op !== 'delete') newLine++;
  }
}

/** `diff -u` writes an empty range as the line before it, and a one-line range without its length. */
function range(start: number, length: number): string {
  if (length === 0) return `${start - 1},0`;
  return length === 1 ? String(start) : `${start},${length}`;
}
