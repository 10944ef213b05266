import { parseVersion } from '../../judge/version.js';
import type { Release } from '../release.js';
import { htmlToText } from './html-text.js';
import { childElements, parseXml, textContent, XmlSyntaxError, type XmlElement } from './xml.js';

const ATOM_NAMESPACE = 'http://www.w3.org/2005/Atom';

/**
 * GitHub's entry id, `tag:github.com,2008:Repository/<numeric repository id>/<tag name>`. The
 * authority is the web host, so GitHub Enterprise writes its own host there.
 */
const ENTRY_ID = /^tag:[^,\s]+,2008:Repository\/\d+\/(.+)$/;

/** The outcome of reading a feed; `error` describes the problem without naming the host. */
export type FeedParseResult = { ok: true; releases: Release[] } | { ok: false; error: string };

/**
 * Reads GitHub's releases Atom feed (`/<owner>/<repo>/releases.atom`) into releases, newest
 * first as the feed lists them. The feed has no prerelease flag, assets or publication date, so
 * `prerelease` is inferred from the tag, `publishedAt` is the entry's `updated` time (later than
 * the publication when the release was edited), and `assets` is empty. Entries whose tag is not
 * a Headscale release version are skipped, and of two entries with one tag the first is kept.
 * `feedUrl` resolves relative links.
 */
export function parseAtomFeed(text: string, feedUrl: string): FeedParseResult {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    if (error instanceof XmlSyntaxError) return { ok: false, error: `the body is not well-formed XML: ${error.message}` };
    throw error;
  }

  if (root.name !== 'feed' || root.attributes.xmlns !== ATOM_NAMESPACE) {
    const namespace = root.attributes.xmlns === undefined ? 'no namespace' : `namespace ${root.attributes.xmlns}`;
    return { ok: false, error: `the body is not an Atom feed: its root element is <${root.name}> in ${namespace}, expected <feed> in ${ATOM_NAMESPACE}` };
  }

  const releases: Release[] = [];
  const seen = new Set<string>();
  const entries = childElements(root, 'entry');
  for (const [index, entry] of entries.entries()) {
    const read = readEntry(entry, feedUrl);
    if (typeof read === 'string') return { ok: false, error: `entry ${index + 1} of the feed ${read}` };
    if (!read || seen.has(read.tag)) continue;

    seen.add(read.tag);
    releases.push(read);
  }
  return { ok: true, releases };
}

/** Converts one entry; returns null for a tag that is not a release, or a string saying what is wrong. */
function readEntry(entry: XmlElement, feedUrl: string): Release | null | string {
  const id = singleText(entry, 'id');
  if (id === null) return 'has no <id>';

  const match = ENTRY_ID.exec(id.trim());
  if (!match) return `has the id "${id.trim()}", expected tag:github.com,2008:Repository/<id>/<tag>`;

  const tag = match[1]!;
  const version = parseVersion(tag);
  if (!version) return null;

  const updatedText = singleText(entry, 'updated');
  const updated = updatedText === null ? null : parseAtomDate(updatedText);
  if (!updated) return `(${tag}) has no valid <updated> time: ${updatedText === null ? 'missing' : `"${updatedText.trim()}"`}`;

  return {
    version,
    tag,
    publishedAt: updated,
    prerelease: version.prerelease !== null,
    body: readContent(entry),
    htmlUrl: alternateLink(entry, feedUrl),
    assets: [],
  };
}

/** Returns the text of the first child named `name`, or null without one. */
function singleText(parent: XmlElement, name: string): string | null {
  const [element] = childElements(parent, name);
  return element ? textContent(element) : null;
}

/**
 * Reads the release notes as plain text. GitHub writes `type="html"`; Atom's other types, `text` (the
 * default) and `xhtml`, are read as their character data.
 */
function readContent(entry: XmlElement): string {
  const [content] = childElements(entry, 'content');
  if (!content) return '';

  const text = textContent(content);
  return content.attributes.type === 'html' ? htmlToText(text) : text.trim();
}

/** Resolves the `href` of the `rel="alternate"` link (Atom's default relation) against the feed URL. */
function alternateLink(entry: XmlElement, feedUrl: string): string | null {
  const link = childElements(entry, 'link').find((candidate) => (candidate.attributes.rel ?? 'alternate') === 'alternate');
  const href = link?.attributes.href;
  if (!href) return null;

  try {
    return new URL(href, feedUrl).toString();
  } catch {
    return null;
  }
}

/** Parses an RFC 3339 time as Atom requires, e.g. `2026-07-01T14:47:39Z` or with an offset. */
function parseAtomDate(text: string): Date | null {
  const trimmed = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i.test(trimmed)) return null;

  const date = new Date(trimmed);
  return Number.isNaN(date.getTime()) ? null : date;
}
