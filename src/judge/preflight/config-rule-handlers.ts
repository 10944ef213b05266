import { CUSTOM_HANDLERS } from './config-custom-rules.js';
import { effectText, VERDICT_OF, type RuleContext, type RuleOutcome } from './config-rule-outcome.js';
import type { ConfigRule, MoveRule, RemoveRule } from './config-rules.js';
import { hasPath, movePath, pathOf, positionOf, removePath, valueAt } from './yaml-edit.js';

export type { PolicyChange, RuleContext, RuleOutcome } from './config-rule-outcome.js';

/** Applies one rule to the document and returns what it found; the document changes in place. */
export function applyRule(rule: ConfigRule, context: RuleContext): RuleOutcome[] {
  let outcomes: RuleOutcome[];
  if (rule.kind === 'move') outcomes = applyMove(rule, context);
  else if (rule.kind === 'remove') outcomes = applyRemove(rule, context);
  else outcomes = CUSTOM_HANDLERS[rule.kind](rule, context);

  if (!rule.note) return outcomes;
  return outcomes.map((outcome) => ({ ...outcome, message: `${outcome.message}; note: ${rule.note}` }));
}

function applyMove(rule: MoveRule, context: RuleContext): RuleOutcome[] {
  const { doc } = context;
  const moved: string[] = [];
  const dropped: string[] = [];
  // Moving in file order keeps the keys in the same order under their new parent.
  const present = rule.moves.filter(([from]) => hasPath(doc, pathOf(from))).sort(([a], [b]) => comparePositions(positionOf(doc, pathOf(a)), positionOf(doc, pathOf(b))));
  for (const [from, to] of present) {
    if (movePath(doc, pathOf(from), pathOf(to))) {
      moved.push(`${from} → ${to}`);
    } else {
      dropped.push(`${from} (${to} is set, so ${from} = ${JSON.stringify(valueAt(doc, pathOf(from)))} is ignored)`);
      removePath(doc, pathOf(from));
    }
  }

  if (moved.length === 0 && dropped.length === 0) return [];

  const keys = present.map(([from]) => from);
  const changes = [moved.length > 0 ? `moves ${moved.join(', ')}` : '', dropped.length > 0 ? `deletes ${dropped.join(', ')}` : ''].filter(Boolean).join(' and ');
  return [
    {
      rule,
      verdict: VERDICT_OF[rule.effect],
      message: `${keys.join(', ')}: ${effectText(rule, context, keys.length)}`,
      fix: `the proposed config ${changes}, keeping each value and its comments`,
      keys,
    },
  ];
}

function applyRemove(rule: RemoveRule, context: RuleContext): RuleOutcome[] {
  const present = rule.keys.filter((key) => hasPath(context.doc, pathOf(key)));
  if (present.length === 0) return [];

  const lines = present.map((key) => `${key}: ${JSON.stringify(valueAt(context.doc, pathOf(key)))}`);
  for (const key of present) removePath(context.doc, pathOf(key));

  const message = `${present.join(', ')}: ${effectText(rule, context, present.length)}; nothing replaces ${present.length === 1 ? 'it' : 'them'}`;
  return [{ rule, verdict: VERDICT_OF[rule.effect], message, fix: `delete ${lines.join(', ')} (the proposed config does)`, keys: present }];
}

function comparePositions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}
