export type SeverityLabel = 'low' | 'medium' | 'high' | 'critical';

// Advisory sources name the same four levels differently. GitHub advisories use MODERATE for medium,
// and Red Hat uses Moderate and Important for medium and high.
const LABELS: Record<string, SeverityLabel> = {
  low: 'low',
  medium: 'medium',
  moderate: 'medium',
  high: 'high',
  important: 'high',
  critical: 'critical',
};

/** Normalises an advisory's severity label, ignoring case and surrounding whitespace. Returns null for an unknown label. */
export function normaliseSeverityLabel(label: string): SeverityLabel | null {
  return LABELS[label.trim().toLowerCase()] ?? null;
}
