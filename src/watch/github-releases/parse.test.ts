import { describe, expect, it } from 'vitest';
import { normaliseDigest, parseReleasePage } from './parse.js';
import { deserializeReleases, serializeReleases } from './stored.js';

const release = {
  tag_name: 'v0.29.2',
  draft: false,
  prerelease: false,
  published_at: '2026-07-01T14:47:39Z',
  body: null,
  html_url: 'https://github.com/juanfont/headscale/releases/tag/v0.29.2',
  assets: [{ name: 'checksums.txt', browser_download_url: 'https://example.test/checksums.txt', size: 95, digest: null }],
};

describe('parseReleasePage', () => {
  it('rejects an object instead of a list', () => {
    const result = parseReleasePage({ message: 'Moved Permanently' });

    expect(result.ok).toBe(false);
  });

  it('names the field of a wrong shape', () => {
    const result = parseReleasePage([release, { ...release, tag_name: 42 }]);

    expect(result).toEqual({ ok: false, error: expect.stringMatching(/^1\.tag_name: /) });
  });

  it('maps null body and digest', () => {
    const result = parseReleasePage([release]);

    expect(result.ok).toBe(true);
    expect(result).toHaveProperty('releases.0', expect.objectContaining({ tag: 'v0.29.2', body: '', assets: [expect.objectContaining({ digest: null, size: 95 })] }));
  });

  it('keeps an invalid date as null', () => {
    const result = parseReleasePage([{ ...release, published_at: 'yesterday' }]);

    expect(result).toHaveProperty('releases.0.publishedAt', null);
  });
});

describe('normaliseDigest', () => {
  it('lower-cases a sha256 digest', () => {
    expect(normaliseDigest(`sha256:${'AB'.repeat(32)}`)).toBe(`sha256:${'ab'.repeat(32)}`);
  });

  it('drops other algorithms and short hashes', () => {
    expect(normaliseDigest(`sha512:${'ab'.repeat(64)}`)).toBeNull();
    expect(normaliseDigest('sha256:abc')).toBeNull();
    expect(normaliseDigest(undefined)).toBeNull();
  });
});

describe('stored releases', () => {
  it('round-trip through JSON', () => {
    const parsed = parseReleasePage([release]);
    const releases = parsed.ok ? parsed.releases : [];

    expect(deserializeReleases(serializeReleases(releases))).toEqual(releases);
  });

  it('reject an unknown format', () => {
    expect(() => deserializeReleases('{"format":2,"releases":[]}')).toThrow(/unexpected shape at format/);
  });

  it('reject text that is not JSON', () => {
    expect(() => deserializeReleases('not json')).toThrow(/not valid JSON/);
  });
});
