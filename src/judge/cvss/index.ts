import { cvss3BaseScore, InvalidCvssVectorError, severityOfScore, type Severity } from './cvss3.js';
import { normaliseSeverityLabel } from './labels.js';

export {
  cvss3BaseScore,
  InvalidCvssVectorError,
  parseCvss3Vector,
  roundUp,
  severityOfScore,
  type Cvss3BaseMetrics,
  type Cvss3Vector,
  type Severity,
} from './cvss3.js';
export { normaliseSeverityLabel, type SeverityLabel } from './labels.js';

/** Severity data of an advisory: CVSS vector strings and a free-text label. */
export interface SeverityInput {
  readonly vectors?: readonly string[];
  readonly label?: string;
}

/**
 * Decides an advisory's severity. The highest base score among its CVSS v3.0/v3.1 vectors wins
 * when at least one parses, so a 0.0 vector gives 'none' even next to a label. Vectors of other
 * versions (CVSS v2, v4) and malformed vectors are skipped. When none parses, the normalised label
 * decides. Returns null for "unknown severity" when neither gives a severity, so callers decide
 * how to treat it.
 */
export function severityOf(input: SeverityInput): Severity | null {
  const scores = (input.vectors ?? []).flatMap((vector) => scoreOrNothing(vector));
  if (scores.length > 0) return severityOfScore(Math.max(...scores));

  return input.label === undefined ? null : normaliseSeverityLabel(input.label);
}

function scoreOrNothing(vector: string): number[] {
  try {
    return [cvss3BaseScore(vector)];
  } catch (error) {
    if (error instanceof InvalidCvssVectorError) return [];
    throw error;
  }
}
