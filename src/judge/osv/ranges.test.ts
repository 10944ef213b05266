import { describe, expect, it } from 'vitest';
import { requireVersion } from '../version.js';
import { OsvRecordError, affectedVersions, isAffected, type AffectedOptions } from './ranges.js';
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord } from './types.js';

const HEADSCALE = 'github.com/juanfont/headscale';

function record(affected: OsvAffected[], extra: Partial<OsvRecord> = {}): OsvRecord {
  return { id: 'GHSA-test-test-test', modified: '2024-01-01T00:00:00Z', affected, ...extra };
}

function headscale(ranges: OsvRange[], versions?: string[]): OsvAffected {
  return { package: { ecosystem: 'Go', name: HEADSCALE }, ranges, ...(versions ? { versions } : {}) };
}

function ecosystem(...events: OsvEvent[]): OsvRange {
  return { type: 'ECOSYSTEM', events };
}

function affects(subject: OsvRecord, version: string, options?: AffectedOptions): boolean {
  return isAffected(subject, HEADSCALE, requireVersion(version), options);
}

describe('isAffected', () => {
  it('covers introduced up to fixed', () => {
    const subject = record([headscale([ecosystem({ introduced: '0.20.0' }, { fixed: '0.22.0' })])]);

    expect(affects(subject, '0.19.0')).toBe(false);
    expect(affects(subject, '0.20.0')).toBe(true);
    expect(affects(subject, '0.21.0')).toBe(true);
    expect(affects(subject, '0.22.0-alpha3')).toBe(true);
    expect(affects(subject, '0.22.0')).toBe(false);
    expect(affects(subject, '0.22.1')).toBe(false);
  });

  it('treats introduced "0" as before every version', () => {
    const subject = record([headscale([ecosystem({ introduced: '0' }, { fixed: '0.17.0' })])]);

    expect(affects(subject, '0.0.0')).toBe(true);
    expect(affects(subject, '0.1.0-alpha1')).toBe(true);
    expect(affects(subject, '0.17.0-beta5')).toBe(true);
    expect(affects(subject, '0.17.0')).toBe(false);
  });

  it('affects everything after an unclosed introduced', () => {
    const subject = record([headscale([ecosystem({ introduced: '0.26.0' })])]);

    expect(affects(subject, '0.25.1')).toBe(false);
    expect(affects(subject, '0.26.0')).toBe(true);
    expect(affects(subject, '9.0.0')).toBe(true);
  });

  it('includes last_affected and excludes what follows', () => {
    const subject = record([headscale([ecosystem({ introduced: '0.20.0' }, { last_affected: '0.22.3' })])]);

    expect(affects(subject, '0.22.3')).toBe(true);
    expect(affects(subject, '0.22.4')).toBe(false);
    expect(affects(subject, '0.23.0-alpha1')).toBe(false);
  });

  it('excludes versions at or above limit', () => {
    const subject = record([headscale([ecosystem({ introduced: '0.20.0' }, { limit: '0.21.0' })])]);

    expect(affects(subject, '0.20.5')).toBe(true);
    expect(affects(subject, '0.21.0')).toBe(false);
    expect(affects(subject, '0.22.0')).toBe(false);
  });

  it('keeps a version below any of several limits', () => {
    const subject = record([headscale([ecosystem({ introduced: '0' }, { limit: '0.18.0' }, { limit: '0.20.0' })])]);

    expect(affects(subject, '0.19.0')).toBe(true);
    expect(affects(subject, '0.20.0')).toBe(false);
  });

  it('treats limit "*" as no limit', () => {
    const subject = record([headscale([ecosystem({ introduced: '0.20.0' }, { limit: '*' })])]);

    expect(affects(subject, '5.0.0')).toBe(true);
  });

  it('sorts events before walking them', () => {
    const subject = record([headscale([ecosystem({ fixed: '0.22.0' }, { introduced: '0.20.0' })])]);

    expect(affects(subject, '0.21.0')).toBe(true);
    expect(affects(subject, '0.22.0')).toBe(false);
  });

  it('walks several intervals in one range', () => {
    const subject = record([
      headscale([
        ecosystem({ introduced: '0' }, { fixed: '0.16.0' }, { introduced: '0.18.0' }, { last_affected: '0.19.0' }),
      ]),
    ]);

    expect(affects(subject, '0.15.0')).toBe(true);
    expect(affects(subject, '0.16.0')).toBe(false);
    expect(affects(subject, '0.17.1')).toBe(false);
    expect(affects(subject, '0.18.0')).toBe(true);
    expect(affects(subject, '0.19.0')).toBe(true);
    expect(affects(subject, '0.20.0')).toBe(false);
  });

  it('matches any of several ranges', () => {
    const subject = record([
      headscale([
        ecosystem({ introduced: '0.16.0' }, { fixed: '0.16.4' }),
        { type: 'SEMVER', events: [{ introduced: '0.18.0' }, { fixed: '0.18.1' }] },
      ]),
    ]);

    expect(affects(subject, '0.16.3')).toBe(true);
    expect(affects(subject, '0.17.0')).toBe(false);
    expect(affects(subject, '0.18.0')).toBe(true);
    expect(affects(subject, '0.18.1')).toBe(false);
  });

  it('matches any of several affected entries', () => {
    const subject = record([
      headscale([ecosystem({ introduced: '0' }, { fixed: '0.12.1' })]),
      headscale([ecosystem({ introduced: '0.26.0' }, { fixed: '0.26.1' })]),
    ]);

    expect(affects(subject, '0.12.0')).toBe(true);
    expect(affects(subject, '0.20.0')).toBe(false);
    expect(affects(subject, '0.26.0')).toBe(true);
    expect(affects(subject, '0.26.1')).toBe(false);
  });

  it('matches an explicit versions list', () => {
    const subject = record([headscale([], ['0.22.1', 'v0.23.0-beta.4', '0.22.4-0.20231210000000-abcdefabcdef'])]);

    expect(affects(subject, '0.22.1')).toBe(true);
    expect(affects(subject, 'v0.23.0-beta.4')).toBe(true);
    expect(affects(subject, '0.22.2')).toBe(false);
    expect(affects(subject, '0.22.4')).toBe(false);
  });

  it('tolerates a leading v in events', () => {
    const subject = record([headscale([{ type: 'SEMVER', events: [{ introduced: 'v0.20.0' }, { fixed: 'v0.21.0' }] }])]);

    expect(affects(subject, '0.20.0')).toBe(true);
    expect(affects(subject, 'v0.21.0')).toBe(false);
  });

  it('ignores GIT ranges', () => {
    const subject = record([
      headscale([{ type: 'GIT', events: [{ introduced: '0' }, { fixed: 'cf8ffea1b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6' }] }]),
    ]);

    expect(affects(subject, '0.22.3')).toBe(false);
  });

  it('ignores an unrelated package', () => {
    const subject = record([
      { package: { ecosystem: 'Go', name: 'tailscale.com' }, ranges: [ecosystem({ introduced: '0' })] },
    ]);

    expect(affects(subject, '0.22.3')).toBe(false);
  });

  it('ignores a record without affected entries', () => {
    expect(affects(record([]), '0.22.3')).toBe(false);
    expect(affects({ id: 'GHSA-none-none-none', modified: '2024-01-01T00:00:00Z' }, '0.22.3')).toBe(false);
  });

  it('treats a withdrawn record as affecting nothing', () => {
    const subject = record([headscale([ecosystem({ introduced: '0' })], ['0.22.3'])], {
      withdrawn: '2024-02-01T00:00:00Z',
    });

    expect(affects(subject, '0.22.3')).toBe(false);
  });
});

describe('prerelease ordering in ranges', () => {
  const ladder = ['0.23.0-alpha12', '0.23.0-beta3', '0.23.0-beta.4', '0.23.0-rc.1', '0.23.0'];

  it.each(ladder.slice(1).map((fixed, index) => [ladder[index]!, fixed] as const))(
    '%s is below fixed %s',
    (below, fixed) => {
      const subject = record([headscale([ecosystem({ introduced: '0' }, { fixed })])]);

      expect(affects(subject, below)).toBe(true);
      expect(affects(subject, fixed)).toBe(false);
    },
  );

  it('orders numbered prereleases by number, not text', () => {
    const subject = record([headscale([ecosystem({ introduced: '0' }, { fixed: '0.23.0-alpha10' })])]);

    expect(affects(subject, '0.23.0-alpha9')).toBe(true);
    expect(affects(subject, '0.23.0-alpha10')).toBe(false);
  });

  it('covers prereleases of fixed version', () => {
    const subject = record([headscale([ecosystem({ introduced: '0.22.0' }, { fixed: '0.23.0' })])]);

    expect(affects(subject, '0.23.0-rc.1')).toBe(true);
    expect(affects(subject, '0.22.0-alpha3')).toBe(false);
  });
});

describe('firstFixedTags', () => {
  const lastAffected = record([headscale([ecosystem({ introduced: '0' }, { last_affected: '0.22.3' })])]);
  const options = { firstFixedTags: { 'GHSA-test-test-test': 'v0.23.0-beta.4' } };

  it('extends last_affected up to the first fixed tag', () => {
    expect(affects(lastAffected, '0.23.0-alpha1', options)).toBe(true);
    expect(affects(lastAffected, '0.23.0-beta3', options)).toBe(true);
    expect(affects(lastAffected, '0.23.0-beta.4', options)).toBe(false);
    expect(affects(lastAffected, '0.23.0', options)).toBe(false);
  });

  it('leaves ranges with a fixed event alone', () => {
    const fixed = record([headscale([ecosystem({ introduced: '0' }, { fixed: '0.22.3' })])]);

    expect(affects(fixed, '0.22.3', options)).toBe(false);
    expect(affects(fixed, '0.23.0-alpha1', options)).toBe(false);
  });

  it('keeps last_affected when the tag sorts below it', () => {
    const early = { firstFixedTags: { 'GHSA-test-test-test': 'v0.20.0' } };

    expect(affects(lastAffected, '0.22.3', early)).toBe(true);
    expect(affects(lastAffected, '0.22.4', early)).toBe(false);
  });

  it('extends only the closing last_affected', () => {
    const twoIntervals = record([
      headscale([
        ecosystem({ introduced: '0' }, { last_affected: '0.16.0' }, { introduced: '0.20.0' }, { last_affected: '0.22.3' }),
      ]),
    ]);

    expect(affects(twoIntervals, '0.17.0', options)).toBe(false);
    expect(affects(twoIntervals, '0.23.0-alpha1', options)).toBe(true);
  });

  it('rejects a tag that is not a release', () => {
    const invalid = { firstFixedTags: { 'GHSA-test-test-test': 'v0.28-fix' } };

    expect(() => affects(lastAffected, '0.22.3', invalid)).toThrow(/firstFixedTags\["GHSA-test-test-test"\] is "v0.28-fix"/);
  });
});

describe('malformed records', () => {
  it('rejects an event version that is not a release', () => {
    const subject = record([headscale([ecosystem({ introduced: '0' }, { fixed: '0.22.4-0.20231210-abcdef' })])]);

    expect(() => affects(subject, '0.22.3')).toThrow(OsvRecordError);
    expect(() => affects(subject, '0.22.3')).toThrow(/fixed version "0.22.4-0.20231210-abcdef"/);
  });

  it('rejects an event with two keys', () => {
    const event = { introduced: '0', fixed: '0.22.0' } as unknown as OsvEvent;
    const subject = record([headscale([ecosystem(event)])]);

    expect(() => affects(subject, '0.22.3')).toThrow(/must have exactly one of/);
  });
});

describe('affectedVersions', () => {
  it('keeps the input order', () => {
    const subject = record([headscale([ecosystem({ introduced: '0.24.0' }, { fixed: '0.25.0' })])]);
    const versions = ['0.24.0', '0.25.0-beta.1', '0.24.3', '0.25.0'].map((text) => requireVersion(text));

    expect(affectedVersions(subject, HEADSCALE, versions).map((version) => version.text)).toEqual([
      '0.24.0',
      '0.25.0-beta.1',
      '0.24.3',
    ]);
  });
});
