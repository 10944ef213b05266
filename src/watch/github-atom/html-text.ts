/**
 * Plain text from the HTML that GitHub renders for release notes, close enough to the Markdown
 * source for the release-note security signal: tags are removed, block ends become line breaks,
 * list items start with "- ", and character references are decoded.
 */

/** Named references GitHub's Markdown renderer writes, plus common typography; others stay as written. */
const NAMED_REFERENCES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  hellip: '\u2026',
  mdash: '\u2014',
  ndash: '\u2013',
  lsquo: '\u2018',
  rsquo: '\u2019',
  ldquo: '\u201c',
  rdquo: '\u201d',
  copy: '\u00a9',
};

const DROPPED = /<!--[\s\S]*?-->|<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const LINE_BREAK = /<br\s*\/?>/gi;
const BLOCK_END = /<\/(?:p|div|li|h[1-6]|pre|blockquote|tr|ul|ol|table|details|summary)\s*>/gi;
const LIST_ITEM = /<li\b[^>]*>/gi;
const ANY_TAG = /<\/?[A-Za-z][^>]*>/g;
const REFERENCE = /&(?:#[xX]([0-9A-Fa-f]{1,6})|#(\d{1,7})|([A-Za-z][A-Za-z0-9]{1,31}));/g;

/**
 * Converts an HTML fragment to plain text with one line per block and no blank lines. Line breaks
 * in the markup are insignificant outside `<pre>`, so they become spaces there.
 */
export function htmlToText(html: string): string {
  const withoutTags = collapseSourceLines(html.replace(DROPPED, ''))
    .replace(LINE_BREAK, '\n')
    .replace(BLOCK_END, '\n')
    .replace(LIST_ITEM, '- ')
    .replace(ANY_TAG, '');

  return decodeHtmlReferences(withoutTags)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** Replaces line breaks in the markup by spaces, except inside `<pre>` elements. */
function collapseSourceLines(html: string): string {
  return html
    .split(/(<pre\b[^>]*>[\s\S]*?<\/pre\s*>)/i)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/\s*\n\s*/g, ' ')))
    .join('');
}

/** Decodes numeric references and the named ones in NAMED_REFERENCES; an invalid code point becomes U+FFFD, as in HTML. */
export function decodeHtmlReferences(text: string): string {
  return text.replace(REFERENCE, (reference: string, hex?: string, decimal?: string, name?: string) => {
    if (name !== undefined) return Object.hasOwn(NAMED_REFERENCES, name) ? NAMED_REFERENCES[name]! : reference;

    const codePoint = hex !== undefined ? Number.parseInt(hex, 16) : Number(decimal);
    const valid = codePoint > 0 && codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint <= 0xdfff);
    return valid ? String.fromCodePoint(codePoint) : '\ufffd';
  });
}
