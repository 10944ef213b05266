/**
 * Finds the `rel="next"` target of a `Link` header (RFC 8288) as GitHub writes it:
 * `<https://api.github.com/repositories/1/releases?per_page=100&page=2>; rel="next", <…>; rel="last"`.
 * A relative target is resolved against `base`. Returns null when there is no next page.
 */
export function nextPageUrl(linkHeader: string | null, base: string): string | null {
  if (!linkHeader) return null;

  for (const link of splitLinks(linkHeader)) {
    const match = /^\s*<([^>]*)>(.*)$/s.exec(link);
    if (!match) continue;

    const [, target = '', params = ''] = match;
    if (relations(params).includes('next')) return new URL(target, base).toString();
  }
  return null;
}

/** Splits a header into link values at commas outside `<…>` and quotes. */
function splitLinks(header: string): string[] {
  const links: string[] = [];
  let current = '';
  let inTarget = false;
  let inQuotes = false;

  for (const char of header) {
    if (char === '<' && !inQuotes) inTarget = true;
    if (char === '>' && !inQuotes) inTarget = false;
    if (char === '"' && !inTarget) inQuotes = !inQuotes;

    if (char === ',' && !inTarget && !inQuotes) {
      links.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  links.push(current);
  return links;
}

/** Reads the relation types of one link's parameters, e.g. `; rel="next"` or `; rel="prev first"`. */
function relations(params: string): string[] {
  const match = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(params);
  const value = match?.[1] ?? match?.[2] ?? '';
  return value.toLowerCase().split(/\s+/).filter(Boolean);
}
