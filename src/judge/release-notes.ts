/**
 * Spots release notes that talk about security. Headscale has shipped several security fixes
 * without an advisory, and some were worded as ordinary changes. So this is a signal to read the
 * notes, not a verdict: a match may be harmless ("security policy docs"), and a silent fix gives
 * no match.
 */

/** One term the notes mention, with the line it was found on. */
export interface SecurityEvidence {
  /** The matched term as written, e.g. `CVE-2024-1234` or `vulnerability`. */
  readonly term: string;
  /** The line around the match, whitespace collapsed and cut to about 160 characters. */
  readonly excerpt: string;
}

export interface SecuritySignal {
  /** Distinct terms found, in order of first appearance, lower-cased except ids. */
  readonly terms: readonly string[];
  readonly evidence: readonly SecurityEvidence[];
}

/**
 * Words that security notes use. Ids (CVE, GHSA) are matched exactly; words match whole words in
 * any case, with common inflections (`vulnerable`, `vulnerabilities`, `exposed`).
 */
const SECURITY_TERMS: readonly RegExp[] = [
  /\bCVE-\d{4}-\d{4,}\b/g,
  /\bGHSA(?:-[23456789cfghjmpqrvwx]{4}){3}\b/gi,
  /\bsecurity\b/gi,
  /\bvulnerab(?:le|ility|ilities)\b/gi,
  /\bexpos(?:e|ed|es|ure)\b/gi,
  /\bCVSS\b/g,
  /\bprivilege escalation\b/gi,
  /\bdenial[- ]of[- ]service\b/gi,
  /\b(?:auth(?:entication|orization)?|ACL|policy) bypass\b/gi,
  /\bunauthori[sz]ed (?:access|users?|nodes?)\b/gi,
  /\b(?:leak|leaks|leaked|leaking)\b/gi,
  /\b(?:XSS|CSRF|SSRF)\b/g,
  /\b(?:sql |command )?injection\b/gi,
];

const MAX_EXCERPT = 160;
const MAX_EVIDENCE = 5;

/** Returns the security terms in `notes` with evidence, or null when none appears. */
export function securitySignal(notes: string): SecuritySignal | null {
  const found: Array<{ index: number; term: string }> = [];
  for (const pattern of SECURITY_TERMS) {
    for (const match of notes.matchAll(pattern)) found.push({ index: match.index, term: match[0] });
  }
  if (found.length === 0) return null;
  found.sort((a, b) => a.index - b.index);

  const terms: string[] = [];
  const evidence: SecurityEvidence[] = [];
  const linesUsed = new Set<number>();
  for (const { index, term } of found) {
    const normalised = /^(CVE|GHSA)-/i.test(term) ? term.toUpperCase() : term.toLowerCase();
    if (terms.includes(normalised)) continue;
    terms.push(normalised);

    const lineStart = notes.lastIndexOf('\n', index - 1) + 1;
    if (linesUsed.has(lineStart) || evidence.length >= MAX_EVIDENCE) continue;
    linesUsed.add(lineStart);
    evidence.push({ term: normalised, excerpt: excerptAround(notes, lineStart, index) });
  }
  return { terms, evidence };
}

function excerptAround(notes: string, lineStart: number, index: number): string {
  const lineEnd = notes.indexOf('\n', index);
  const line = notes.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const offset = index - lineStart;
  const from = Math.max(0, Math.min(offset - MAX_EXCERPT / 2, line.length - MAX_EXCERPT));
  let text = line.slice(from, from + MAX_EXCERPT).replace(/\s+/g, ' ').trim();
  if (from > 0) text = `…${text}`;
  if (from + MAX_EXCERPT < line.length) text = `${text}…`;
  return text.replace(/^[-*#>\s]+/, '');
}
