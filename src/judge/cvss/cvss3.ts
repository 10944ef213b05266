/**
 * CVSS v3.0 and v3.1 base scores, computed with the formulas of the CVSS v3.1 specification
 * (FIRST, "CVSS v3.1 Specification Document", section 7.1 and Appendix A).
 */

export type AttackVector = 'N' | 'A' | 'L' | 'P';
export type AttackComplexity = 'L' | 'H';
export type PrivilegesRequired = 'N' | 'L' | 'H';
export type UserInteraction = 'N' | 'R';
export type Scope = 'U' | 'C';
export type ImpactLevel = 'H' | 'L' | 'N';

/** The eight base metrics of a CVSS v3 vector, keyed by the specification's abbreviations. */
export interface Cvss3BaseMetrics {
  readonly AV: AttackVector;
  readonly AC: AttackComplexity;
  readonly PR: PrivilegesRequired;
  readonly UI: UserInteraction;
  readonly S: Scope;
  readonly C: ImpactLevel;
  readonly I: ImpactLevel;
  readonly A: ImpactLevel;
}

export interface Cvss3Vector {
  readonly version: '3.0' | '3.1';
  readonly base: Cvss3BaseMetrics;
}

export type Severity = 'none' | 'low' | 'medium' | 'high' | 'critical';

/** Rejection of a vector string that does not follow the CVSS v3 grammar. `part` is the piece that failed. */
export class InvalidCvssVectorError extends Error {
  readonly vector: string;
  readonly part: string;

  constructor(vector: string, part: string, reason: string) {
    super(`invalid CVSS v3 vector "${vector}": ${reason}`);
    this.name = 'InvalidCvssVectorError';
    this.vector = vector;
    this.part = part;
  }
}

const BASE_VALUES: Record<keyof Cvss3BaseMetrics, readonly string[]> = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'R'],
  S: ['U', 'C'],
  C: ['H', 'L', 'N'],
  I: ['H', 'L', 'N'],
  A: ['H', 'L', 'N'],
};

// Temporal and environmental metrics are checked so that a typo is reported, but they do not
// change the base score. `X` means "not defined".
const OPTIONAL_VALUES: Record<string, readonly string[]> = {
  E: ['X', 'U', 'P', 'F', 'H'],
  RL: ['X', 'O', 'T', 'W', 'U'],
  RC: ['X', 'U', 'R', 'C'],
  CR: ['X', 'L', 'M', 'H'],
  IR: ['X', 'L', 'M', 'H'],
  AR: ['X', 'L', 'M', 'H'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'R'],
  MS: ['X', 'U', 'C'],
  MC: ['X', 'N', 'L', 'H'],
  MI: ['X', 'N', 'L', 'H'],
  MA: ['X', 'N', 'L', 'H'],
};

const PREFIX = /^CVSS:(3\.[01])$/;

/**
 * Parses a `CVSS:3.0/...` or `CVSS:3.1/...` vector string. Metrics may come in any order, each at
 * most once, and all eight base metrics are required.
 * @throws InvalidCvssVectorError naming the prefix or metric that is wrong.
 */
export function parseCvss3Vector(vector: string): Cvss3Vector {
  const [prefix = '', ...parts] = vector.trim().split('/');
  const version = PREFIX.exec(prefix)?.[1];
  if (version !== '3.0' && version !== '3.1') {
    throw new InvalidCvssVectorError(vector, prefix, `prefix "${prefix}" is not CVSS:3.0 or CVSS:3.1`);
  }

  const values = new Map<string, string>();
  for (const part of parts) {
    const [name = '', value = '', ...rest] = part.split(':');
    const allowed = BASE_VALUES[name as keyof Cvss3BaseMetrics] ?? OPTIONAL_VALUES[name];
    if (!allowed || rest.length > 0) {
      throw new InvalidCvssVectorError(vector, part, `"${part}" is not a CVSS v3 metric`);
    }

    if (!allowed.includes(value)) {
      throw new InvalidCvssVectorError(vector, part, `"${part}" has an invalid value; expected ${name}:${allowed.join('|')}`);
    }

    if (values.has(name)) {
      throw new InvalidCvssVectorError(vector, part, `metric ${name} appears more than once`);
    }
    values.set(name, value);
  }

  const missing = Object.keys(BASE_VALUES).filter((name) => !values.has(name));
  if (missing.length > 0) {
    const names = missing.join(', ');
    const reason = missing.length === 1 ? `base metric ${names} is missing` : `base metrics ${names} are missing`;
    throw new InvalidCvssVectorError(vector, names, reason);
  }

  const base = Object.fromEntries(Object.keys(BASE_VALUES).map((name) => [name, values.get(name)]));
  return { version, base: base as unknown as Cvss3BaseMetrics };
}

const ATTACK_VECTOR: Record<AttackVector, number> = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const ATTACK_COMPLEXITY: Record<AttackComplexity, number> = { L: 0.77, H: 0.44 };
const PRIVILEGES_SCOPE_UNCHANGED: Record<PrivilegesRequired, number> = { N: 0.85, L: 0.62, H: 0.27 };
const PRIVILEGES_SCOPE_CHANGED: Record<PrivilegesRequired, number> = { N: 0.85, L: 0.68, H: 0.5 };
const USER_INTERACTION: Record<UserInteraction, number> = { N: 0.85, R: 0.62 };
const IMPACT: Record<ImpactLevel, number> = { H: 0.56, L: 0.22, N: 0 };

/**
 * Computes the base score (0.0–10.0) of a CVSS v3.0 or v3.1 vector string.
 *
 * NOTE: CVSS v3.0 defines the same base formulas and weights, but its Roundup was "the smallest
 * one-decimal number not below the input", which floating-point implementations of v3.0 get wrong
 * in rare cases (e.g. 4.000000000000001 becomes 4.1). Here 3.0 vectors use the v3.1 Roundup, so a
 * published 3.0 score can differ by 0.1 in those cases. The 3.0/3.1 differences in the
 * environmental formulas do not apply because only the base score is computed.
 * @throws InvalidCvssVectorError when the vector does not parse.
 */
export function cvss3BaseScore(vector: string): number {
  const { base } = parseCvss3Vector(vector);
  const scopeChanged = base.S === 'C';

  const impactSubScore = 1 - (1 - IMPACT[base.C]) * (1 - IMPACT[base.I]) * (1 - IMPACT[base.A]);
  const impact = scopeChanged
    ? 7.52 * (impactSubScore - 0.029) - 3.25 * (impactSubScore - 0.02) ** 15
    : 6.42 * impactSubScore;
  if (impact <= 0) return 0;

  const privileges = (scopeChanged ? PRIVILEGES_SCOPE_CHANGED : PRIVILEGES_SCOPE_UNCHANGED)[base.PR];
  const exploitability =
    8.22 * ATTACK_VECTOR[base.AV] * ATTACK_COMPLEXITY[base.AC] * privileges * USER_INTERACTION[base.UI];

  const sum = scopeChanged ? 1.08 * (impact + exploitability) : impact + exploitability;
  return roundUp(Math.min(sum, 10));
}

/**
 * Rounds up to one decimal place as CVSS v3.1 Appendix A defines it: the input is first taken to
 * five decimal places as an integer, so floating-point noise such as 4.000000000000001 stays 4.0.
 */
export function roundUp(value: number): number {
  const scaled = Math.round(value * 100_000);
  if (scaled % 10_000 === 0) return scaled / 100_000;

  return (Math.floor(scaled / 10_000) + 1) / 10;
}

/** Maps a CVSS v3 score to its qualitative rating (CVSS v3.1 specification, section 5). */
export function severityOfScore(score: number): Severity {
  if (!Number.isFinite(score) || score < 0 || score > 10) {
    throw new RangeError(`CVSS score ${score} is outside 0.0–10.0`);
  }

  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}
