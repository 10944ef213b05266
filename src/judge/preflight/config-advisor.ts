import { readFile, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

import { isMap, parse, parseDocument, type Document } from 'yaml';

import { replaceFile } from '../../apply/backup.js';
import { HeadsupError } from '../../errors.js';
import { nodeFileSystem } from '../../platform/fs.js';
import { compareVersions, formatVersion, requireVersion, type Version } from '../version.js';
import { applyRule, type PolicyChange, type RuleOutcome } from './config-rule-handlers.js';
import { CONFIG_RULES, type ConfigRule } from './config-rules.js';
import { diffLines, splitLines, unifiedDiff } from './line-diff.js';
import { finding, type PreflightFinding } from './types.js';
import { attachLeadingComments } from './yaml-edit.js';

export type { PolicyChange } from './config-rule-handlers.js';

export const CONFIG_CHECK = 'config';

/** The config changes one hop needs, as findings plus a proposed text. Nothing is written. */
export interface ConfigAdvice {
  path: string | null;
  from: Version;
  to: Version;
  /** One finding per rule the config breaks (check `config:<rule id>`), then one `config` finding. */
  findings: PreflightFinding[];
  original: string;
  /** The config with every automatic change made; equal to `original` when nothing changes. */
  proposed: string;
  /** Unified diff from `original` to `proposed`; '' when they are equal. */
  diff: string;
  /** Policy changes the target needs that no config change can make. */
  policyChanges: PolicyChange[];
}

/** Lists the rules `to` applies, in the order the advisor runs them. */
export function rulesInForce(to: Version): ConfigRule[] {
  return CONFIG_RULES.filter((rule) => compareVersions(to, requireVersion(rule.since)) >= 0 && (rule.before === undefined || compareVersions(to, requireVersion(rule.before)) < 0));
}

/**
 * Checks a Headscale config against the rules of `to` and proposes a new text that keeps comments
 * and key order, edited through the yaml Document API. Parts of the text that the edits did not
 * touch keep their original spelling (indentation of comments, spaces before `#`).
 */
export function adviseConfig(original: string, from: Version, to: Version, path: string | null = null): ConfigAdvice {
  const advice: ConfigAdvice = { path, from, to, findings: [], original, proposed: original, diff: '', policyChanges: [] };
  const doc = parseDocument(original, { prettyErrors: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    const reason = doc.errors[0]?.message ?? 'the top level is not a mapping';
    advice.findings.push(finding(CONFIG_CHECK, 'fail', `cannot read the Headscale config${path ? ` ${path}` : ''}: ${reason}`, 'fix the YAML so that `headscale configtest` can read it'));
    return advice;
  }

  attachLeadingComments(doc);
  const outcomes = rulesInForce(to).flatMap((rule) => applyRule(rule, { doc, from, to }));
  advice.findings.push(...outcomes.map(toFinding));
  advice.policyChanges = outcomes.flatMap((outcome) => (outcome.policyChange ? [outcome.policyChange] : []));

  const rendered = outcomes.length > 0 ? renderProposal(original, doc) : original;
  advice.proposed = rendered;
  advice.diff = unifiedDiff(original, rendered, { old: path ?? 'config.yaml', new: `${path ?? 'config.yaml'} (proposed for ${formatVersion(to)})` });
  advice.findings.push(summaryFinding(advice, outcomes.length));

  return advice;
}

/** Reads a config file and advises on it; see adviseConfig. */
export async function adviseConfigFile(path: string, from: Version, to: Version): Promise<ConfigAdvice> {
  return adviseConfig(await readFile(path, 'utf8'), from, to, path);
}

/**
 * Writes the proposed config over `path` by atomic rename, keeping the file's mode and owner.
 * Given the advice itself, it first checks that the file still contains the text the advice was made
 * from. Only the caller decides when to call this; the advisor never writes.
 */
export async function applyConfigAdvice(path: string, proposed: string | ConfigAdvice): Promise<void> {
  const text = typeof proposed === 'string' ? proposed : proposed.proposed;
  if (typeof proposed !== 'string' && (await readFile(path, 'utf8')) !== proposed.original) {
    throw new HeadsupError('CONFIG_CHANGED', `${path} changed after the config advice was made; not overwriting it`, { hint: 'run the pre-flight checks again and review the new diff' });
  }

  const current = await stat(path);
  const isRoot = process.getuid?.() === 0;
  if (!isRoot && current.uid !== process.getuid?.()) {
    throw new HeadsupError('CONFIG_OWNER', `cannot keep the owner (uid ${current.uid}) of ${path} when writing as uid ${process.getuid?.()}`, { hint: `run headsup as root or as the owner of ${path}` });
  }

  await replaceFile(nodeFileSystem, path, Buffer.from(text, 'utf8'), current.mode & 0o7777, current.uid, current.gid);
  await syncDirectory(dirname(path));
}

function toFinding(outcome: RuleOutcome): PreflightFinding {
  const details = { rule: outcome.rule.id, since: outcome.rule.since, effect: outcome.rule.effect, keys: outcome.keys, source: outcome.rule.source, ...(outcome.policyChange ? { policyChange: outcome.policyChange } : {}) };
  return finding(`${CONFIG_CHECK}:${outcome.rule.id}`, outcome.verdict, outcome.message, outcome.fix, details);
}

function summaryFinding(advice: ConfigAdvice, triggered: number): PreflightFinding {
  const to = formatVersion(advice.to);
  if (triggered === 0) {
    return finding(CONFIG_CHECK, 'pass', `the config has no key that ${to} removes, renames or newly requires`);
  }
  if (advice.diff === '') {
    return finding(CONFIG_CHECK, 'warn', `the config needs changes for ${to} that cannot be made automatically; see the findings above`, null);
  }

  const details = { proposed: advice.proposed, diff: advice.diff, policyChanges: advice.policyChanges };
  return finding(CONFIG_CHECK, 'warn', `${triggered} rule(s) of ${to} need config changes; the proposed config makes them`, advice.diff, details);
}

/**
 * Prints the edited document, then puts back the original lines wherever a changed block differs
 * from them only in whitespace or blank lines. This undoes what the yaml printer changes on its
 * own: it re-indents comments that follow the last key of a nested map, and it normalises spaces
 * before `#`. When the result does not parse to the same data as the edited document, the printed
 * text is returned instead.
 */
function renderProposal(original: string, doc: Document): string {
  const printed = doc.toString({ lineWidth: 0, indentSeq: indentsSequences(original) });
  const edits = diffLines(splitLines(original), splitLines(printed));
  const out: string[] = [];
  let deleted: string[] = [];
  let inserted: string[] = [];
  const flush = (): void => {
    out.push(...(sameIgnoringSpace(deleted, inserted) ? deleted : inserted));
    deleted = [];
    inserted = [];
  };

  for (const edit of edits) {
    if (edit.op === 'equal') {
      flush();
      out.push(edit.line);
    } else if (edit.op === 'delete') {
      deleted.push(edit.line);
    } else {
      inserted.push(edit.line);
    }
  }
  flush();

  const restored = `${out.join('\n')}\n`;
  return JSON.stringify(parse(restored)) === JSON.stringify(doc.toJS()) ? restored : printed;
}

/**
 * Compares two blocks of lines without blank lines and without runs of spaces inside a line. The
 * indentation of a key line must match, because it decides where the key belongs; a comment line
 * may move left or right.
 */
function sameIgnoringSpace(a: string[], b: string[]): boolean {
  const normalise = (lines: string[]) =>
    lines
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const indent = /^\s*/.exec(line)![0];
        const body = line.trim().replace(/\s+/g, ' ');
        return body.startsWith('#') ? body : `${indent}${body}`;
      });
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

/** False when the original writes `key:` and its `- item` lines at the same indentation. */
function indentsSequences(text: string): boolean {
  return !/^( *)[^\s#-][^\n]*:[ \t]*\n\1- /m.test(text);
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
