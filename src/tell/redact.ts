import type { Alert } from './alert.js';

const MASK = '[redacted]';

/**
 * Patterns of credentials that must not leave the machine in an alert. Each keeps a short,
 * harmless prefix (the scheme, the token type or the parameter name) so a reader still sees what
 * was there.
 *
 * NOTE: long hexadecimal strings are kept on purpose, because alerts carry SHA-256 checksums and
 * commit ids that a person compares by eye. A secret written as bare hex is therefore not masked.
 */
const SECRET_PATTERNS: readonly { pattern: RegExp; replacement: string }[] = [
  // HTTP credentials: `Bearer <token>` and `Basic <base64>`. The 16-character minimum spares prose
  // such as "Basic authentication".
  { pattern: /\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{16,}/gi, replacement: `$1$2${MASK}` },
  // Tailscale and Headscale keys: `tskey-auth-…`, `tskey-api-…`, `hskey-api-…`, `hskey-auth-…`.
  // The lookahead skips a key masked before, whose type would otherwise be taken for the secret.
  { pattern: /\b((?:ts|hs)key-(?![a-z]+-\[)(?:[a-z]+-)?)[A-Za-z0-9_-]+/g, replacement: `$1${MASK}` },
  // GitHub tokens: classic (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) and fine-grained (`github_pat_`).
  { pattern: /\b(gh[pousr]_)[A-Za-z0-9]{20,}/g, replacement: `$1${MASK}` },
  { pattern: /\b(github_pat_)[A-Za-z0-9_]{20,}/g, replacement: `$1${MASK}` },
  // Slack tokens and incoming-webhook URLs, whose path is the secret.
  { pattern: /\b(xox[abposr]-)[A-Za-z0-9-]+/g, replacement: `$1${MASK}` },
  { pattern: /(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9/_-]+/g, replacement: `$1${MASK}` },
  // Query parameters that carry credentials: `?token=`, `&access_token=`, `?key=`, `&api_key=`, `&sig=`, …
  { pattern: /([?&][A-Za-z0-9_.-]*(?:token|key|secret|password|passwd|signature|sig)=)[^&#\s"'<>]+/gi, replacement: `$1${MASK}` },
  // A password in a URL: `https://user:password@host`.
  { pattern: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi, replacement: `$1${MASK}@` },
];

/** Masks anything in `text` that looks like a token, key or password; see SECRET_PATTERNS. */
export function redact(text: string): string {
  let result = text;
  for (const { pattern, replacement } of SECRET_PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/** Returns a copy of `alert` with every text field and string fact passed through `redact`. */
export function redactAlert(alert: Alert): Alert {
  const facts: Alert['facts'] = {};
  for (const [name, value] of Object.entries(alert.facts)) facts[redact(name)] = typeof value === 'string' ? redact(value) : value;

  return {
    ...alert,
    key: redact(alert.key),
    instance: alert.instance === null ? null : redact(alert.instance),
    title: redact(alert.title),
    text: redact(alert.text),
    facts,
  };
}
