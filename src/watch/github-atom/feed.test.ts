import { describe, expect, it } from 'vitest';
import { parseAtomFeed, type FeedParseResult } from './feed.js';
import { htmlToText } from './html-text.js';
import { parseXml, textContent, XmlSyntaxError } from './xml.js';

const FEED_URL = 'https://github.com/juanfont/headscale/releases.atom';

/** A feed in the shape github.com serves, with notes that use both escaping layers. */
const REALISTIC_FEED = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xml:lang="en-US">
  <id>tag:github.com,2008:https://github.com/juanfont/headscale/releases</id>
  <link type="text/html" rel="alternate" href="https://github.com/juanfont/headscale/releases"/>
  <link type="application/atom+xml" rel="self" href="https://github.com/juanfont/headscale/releases.atom"/>
  <title>Release notes from headscale</title>
  <updated>2026-07-01T14:47:39Z</updated>
  <entry>
    <id>tag:github.com,2008:Repository/180212405/v0.29.2</id>
    <updated>2026-07-01T14:47:39Z</updated>
    <link rel="alternate" type="text/html" href="https://github.com/juanfont/headscale/releases/tag/v0.29.2"/>
    <title>v0.29.2</title>
    <content type="html">&lt;h2&gt;Changes&lt;/h2&gt;
&lt;ul&gt;
&lt;li&gt;Fix a security issue where map requests weren&amp;#39;t bound to the node key&lt;/li&gt;
&lt;li&gt;Compare &lt;code&gt;a &amp;lt; b&lt;/code&gt; &amp;amp; more&lt;/li&gt;
&lt;/ul&gt;</content>
    <author>
      <name>github-actions[bot]</name>
    </author>
    <media:thumbnail height="30" width="30" url="https://avatars.githubusercontent.com/in/15368?s=60&amp;v=4"/>
  </entry>
  <entry>
    <id>tag:github.com,2008:Repository/180212405/v0.28-fix</id>
    <updated>2026-06-20T09:00:00Z</updated>
    <link rel="alternate" type="text/html" href="https://github.com/juanfont/headscale/releases/tag/v0.28-fix"/>
    <title>v0.28-fix</title>
    <content type="html">&lt;p&gt;not a release&lt;/p&gt;</content>
    <author><name>kradalby</name></author>
  </entry>
  <entry>
    <id>tag:github.com,2008:Repository/180212405/v0.29.0-beta.4</id>
    <updated>2026-06-15T20:29:15+02:00</updated>
    <link rel="alternate" type="text/html" href="/juanfont/headscale/releases/tag/v0.29.0-beta.4"/>
    <title>v0.29.0-beta.4 &#8211; &#x201C;testing&#x201D;</title>
    <content type="html"><![CDATA[<p>Beta &amp; friends: <strong>CVE-2026-0001</strong></p>]]></content>
    <author><name>github-actions[bot]</name></author>
  </entry>
  <entry>
    <id>tag:github.com,2008:Repository/180212405/v0.23.0-alpha1</id>
    <updated>2024-05-01T10:00:00Z</updated>
    <link rel="alternate" type="text/html" href="https://github.com/juanfont/headscale/releases/tag/v0.23.0-alpha1"/>
    <title>v0.23.0-alpha1</title>
    <author><name>github-actions[bot]</name></author>
  </entry>
</feed>
`;

function releasesOf(result: FeedParseResult) {
  if (!result.ok) throw new Error(`expected a parsed feed, got: ${result.error}`);
  return result.releases;
}

function errorOf(result: FeedParseResult): string {
  if (result.ok) throw new Error('expected the feed to be rejected');
  return result.error;
}

describe('parseAtomFeed', () => {
  it('reads releases in feed order', () => {
    const releases = releasesOf(parseAtomFeed(REALISTIC_FEED, FEED_URL));

    expect(releases.map((release) => release.tag)).toEqual(['v0.29.2', 'v0.29.0-beta.4', 'v0.23.0-alpha1']);
  });

  it('infers prerelease from the tag', () => {
    const releases = releasesOf(parseAtomFeed(REALISTIC_FEED, FEED_URL));

    expect(releases.map((release) => release.prerelease)).toEqual([false, true, true]);
    expect(releases[1]?.version.prerelease).toEqual({ kind: 'beta', number: 4 });
  });

  it('takes publishedAt from updated', () => {
    const releases = releasesOf(parseAtomFeed(REALISTIC_FEED, FEED_URL));

    expect(releases[0]?.publishedAt?.toISOString()).toBe('2026-07-01T14:47:39.000Z');
    expect(releases[1]?.publishedAt?.toISOString()).toBe('2026-06-15T18:29:15.000Z');
  });

  it('decodes both escaping layers of the notes', () => {
    const [latest] = releasesOf(parseAtomFeed(REALISTIC_FEED, FEED_URL));

    expect(latest?.body).toBe("Changes\n- Fix a security issue where map requests weren't bound to the node key\n- Compare a < b & more");
  });

  it('reads notes from CDATA', () => {
    const releases = releasesOf(parseAtomFeed(REALISTIC_FEED, FEED_URL));

    expect(releases[1]?.body).toBe('Beta & friends: CVE-2026-0001');
  });

  it('leaves notes empty without content', () => {
    const releases = releasesOf(parseAtomFeed(REALISTIC_FEED, FEED_URL));

    expect(releases[2]?.body).toBe('');
  });

  it('resolves links and sets no assets', () => {
    const releases = releasesOf(parseAtomFeed(REALISTIC_FEED, FEED_URL));

    expect(releases[0]?.htmlUrl).toBe('https://github.com/juanfont/headscale/releases/tag/v0.29.2');
    expect(releases[1]?.htmlUrl).toBe('https://github.com/juanfont/headscale/releases/tag/v0.29.0-beta.4');
    expect(releases.every((release) => release.assets.length === 0)).toBe(true);
  });

  it('accepts a feed without entries', () => {
    const empty = '<feed xmlns="http://www.w3.org/2005/Atom"><title>Release notes from headscale</title></feed>';

    expect(releasesOf(parseAtomFeed(empty, FEED_URL))).toEqual([]);
  });

  it('keeps the first of duplicate tags', () => {
    const entry = (updated: string) =>
      `<entry><id>tag:github.com,2008:Repository/1/v0.29.2</id><updated>${updated}</updated><content>n ${updated}</content></entry>`;
    const feed = `<feed xmlns="http://www.w3.org/2005/Atom">${entry('2026-07-02T00:00:00Z')}${entry('2026-07-01T00:00:00Z')}</feed>`;

    const releases = releasesOf(parseAtomFeed(feed, FEED_URL));

    expect(releases).toHaveLength(1);
    expect(releases[0]?.body).toBe('n 2026-07-02T00:00:00Z');
  });

  it('rejects an HTML page', () => {
    const error = errorOf(parseAtomFeed('<!-- sign-in --><html lang="en"><body><p>Sign in</p></body></html>', FEED_URL));

    expect(error).toBe(
      'the body is not an Atom feed: its root element is <html> in no namespace, expected <feed> in http://www.w3.org/2005/Atom',
    );
  });

  it('rejects a feed in another namespace', () => {
    const error = errorOf(parseAtomFeed('<feed xmlns="http://purl.org/rss/1.0/"></feed>', FEED_URL));

    expect(error).toContain('in namespace http://purl.org/rss/1.0/');
  });

  it('rejects malformed XML with a position', () => {
    const cutOff = REALISTIC_FEED.slice(0, REALISTIC_FEED.indexOf('<author>'));

    const error = errorOf(parseAtomFeed(cutOff, FEED_URL));

    expect(error).toMatch(/^the body is not well-formed XML: missing end tag <\/entry> at line \d+, column \d+$/);
  });

  it('rejects an entry id of another form', () => {
    const feed = '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:uuid:1</id><updated>2026-07-01T00:00:00Z</updated></entry></feed>';

    expect(errorOf(parseAtomFeed(feed, FEED_URL))).toBe('entry 1 of the feed has the id "urn:uuid:1", expected tag:github.com,2008:Repository/<id>/<tag>');
  });

  it('rejects an entry without a valid updated time', () => {
    const feed = '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>tag:github.com,2008:Repository/1/v0.29.2</id><updated>yesterday</updated></entry></feed>';

    expect(errorOf(parseAtomFeed(feed, FEED_URL))).toBe('entry 1 of the feed (v0.29.2) has no valid <updated> time: "yesterday"');
  });
});

describe('parseXml', () => {
  it('decodes predefined and numeric entities', () => {
    const root = parseXml('<a t="&quot;x&quot; &#x41;">&lt;&gt;&amp;&apos;&#65;&#x1F600;</a>');

    expect(root.attributes.t).toBe('"x" A');
    expect(textContent(root)).toBe("<>&'A\u{1F600}");
  });

  it.each([
    ['an undefined entity', '<a>&nbsp;</a>', 'unknown or invalid entity reference "&nbsp;" at line 1, column 4'],
    ['a bare ampersand', '<a>AT&T</a>', '"&" that does not start an entity reference at line 1, column 6'],
    ['a NUL character reference', '<a>&#0;</a>', 'unknown or invalid entity reference "&#0;" at line 1, column 4'],
    ['a surrogate character reference', '<a>&#xD800;</a>', 'unknown or invalid entity reference "&#xD800;" at line 1, column 4'],
    ['an inherited property name', '<a>&constructor;</a>', 'unknown or invalid entity reference "&constructor;" at line 1, column 4'],
    ['a mismatched end tag', '<a><b></a></b>', 'end tag </a> does not match <b> at line 1, column 10'],
    ['an unquoted attribute', '<a href=x></a>', 'attribute href of <a> is not quoted at line 1, column 9'],
    ['a duplicate attribute', '<a x="1" x="2"></a>', 'duplicate attribute x in <a> at line 1, column 11'],
    ['a document type declaration', '<!DOCTYPE feed [<!ENTITY x "y">]><feed/>', 'document type declarations are not supported at line 1, column 1'],
    ['two root elements', '<a/><b/>', 'content after the root element at line 1, column 5'],
    ['text before the root', 'hello <a/>', 'text before the root element at line 1, column 1'],
    ['an empty body', '  ', 'empty document at line 1, column 3'],
    ['an unterminated CDATA section', '<a><![CDATA[x</a>', 'unterminated CDATA section at line 1, column 4'],
  ])('rejects %s', (_case, text, message) => {
    let caught: unknown;
    try {
      parseXml(text);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(XmlSyntaxError);
    expect((caught as Error).message).toBe(message);
  });

  it('skips comments and processing instructions', () => {
    const root = parseXml('\uFEFF<?xml version="1.0"?>\n<!-- a -->\n<a><!-- b -->x<?pi y?>y</a>\n<!-- c -->\n');

    expect(root.children).toEqual(['xy']);
  });

  it('reads deep nesting without recursion', () => {
    const depth = 50_000;
    const root = parseXml(`${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}`);

    expect(textContent(root)).toBe('x');
  });
});

describe('htmlToText', () => {
  it('keeps one line per block', () => {
    expect(htmlToText('<h2>Title</h2><p>one<br>two</p><ul><li>a</li><li>b</li></ul>')).toBe('Title\none\ntwo\n- a\n- b');
  });

  it('decodes named and numeric references', () => {
    expect(htmlToText('&lt;tag&gt; &amp;amp; &#39;q&#x27; &hellip; &unknown; &#0;')).toBe("<tag> &amp; 'q' \u2026 &unknown; \ufffd");
  });

  it('keeps lines inside pre', () => {
    expect(htmlToText('<p>Run:</p>\n<pre><code>headscale migrate\nheadscale serve\n</code></pre>\n<p>then\nrestart</p>')).toBe(
      'Run:\nheadscale migrate\nheadscale serve\nthen restart',
    );
  });

  it('drops comments and scripts', () => {
    expect(htmlToText('a<!-- hidden --><script>alert(1)</script>b')).toBe('ab');
  });
});
