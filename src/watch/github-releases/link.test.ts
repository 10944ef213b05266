import { describe, expect, it } from 'vitest';
import { nextPageUrl } from './link.js';

const base = 'https://api.github.com/repos/juanfont/headscale/releases?per_page=100';

describe('nextPageUrl', () => {
  it('finds next among GitHub links', () => {
    const header =
      '<https://api.github.com/repositories/1/releases?per_page=2&page=1>; rel="prev", ' +
      '<https://api.github.com/repositories/1/releases?per_page=2&page=3>; rel="next", ' +
      '<https://api.github.com/repositories/1/releases?per_page=2&page=9>; rel="last", ' +
      '<https://api.github.com/repositories/1/releases?per_page=2&page=1>; rel="first"';

    expect(nextPageUrl(header, base)).toBe('https://api.github.com/repositories/1/releases?per_page=2&page=3');
  });

  it('returns null on the last page', () => {
    const header = '<https://api.github.com/repositories/1/releases?page=1>; rel="prev", <https://api.github.com/repositories/1/releases?page=1>; rel="first"';

    expect(nextPageUrl(header, base)).toBeNull();
  });

  it('returns null without a header', () => {
    expect(nextPageUrl(null, base)).toBeNull();
    expect(nextPageUrl('', base)).toBeNull();
  });

  it('resolves a relative target', () => {
    expect(nextPageUrl('</repositories/1/releases?page=2>; rel=next', base)).toBe('https://api.github.com/repositories/1/releases?page=2');
  });

  it('reads several relations and commas in targets', () => {
    const header = '<https://example.test/a?x=1,2>; rel="last next"';

    expect(nextPageUrl(header, base)).toBe('https://example.test/a?x=1,2');
  });
});
