import type { Document } from 'yaml';

import { compareVersions, formatVersion, requireVersion, type Version } from '../version.js';
import type { ConfigRule, RuleEffect } from './config-rules.js';
import type { Verdict } from './types.js';

/** A change the policy needs, which the config advisor cannot make itself. */
export interface PolicyChange {
  /** `policy.mode` of the config: `file` (the default) or `database`. */
  mode: string;
  /** `policy.path`; null when the config names no policy file. */
  path: string | null;
  /** The top-level policy field to add, with its value. */
  field: 'randomizeClientPort';
  value: true;
  /** The exact step, including when to take it. */
  instruction: string;
}

/** The result of one rule on the config; the rule has already made its change in the document. */
export interface RuleOutcome {
  rule: ConfigRule;
  verdict: Verdict;
  message: string;
  fix: string | null;
  keys: string[];
  policyChange?: PolicyChange;
}

export interface RuleContext {
  doc: Document;
  from: Version;
  to: Version;
}

/** 'fail' when the target exits or runs without the setting, 'warn' when it only logs a warning. */
export const VERDICT_OF: Record<RuleEffect, Verdict> = { exits: 'fail', ignored: 'fail', fallback: 'warn', warning: 'warn' };

/**
 * Tells what the target does with `keys` keys, and whether the running version already did the
 * same. With `keys` 0 the text names no key: "0.29.2 refuses to start".
 */
export function effectText(rule: ConfigRule, context: RuleContext, keys = 0): string {
  const to = formatVersion(context.to);
  const them = keys === 1 ? 'it' : 'them';
  const phrases: Record<RuleEffect, string> = {
    exits: keys === 0 ? `${to} refuses to start` : `${to} refuses to start with ${them}`,
    ignored: `${to} ignores ${them} and runs without ${keys === 1 ? 'this setting' : 'these settings'}`,
    fallback: `${to} still reads ${them} but logs a deprecation warning`,
    warning: `${to} warns that ${keys === 1 ? 'it was' : 'they were'} removed and ignores ${them}`,
  };
  const isNew = compareVersions(context.from, requireVersion(rule.since)) < 0;
  return `${phrases[rule.effect]} (${isNew ? `new in ${rule.since}` : `since ${rule.since}; ${formatVersion(context.from)} behaves the same`})`;
}
