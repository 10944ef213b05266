import { describe, expect, it } from 'vitest';
import { isAffected } from '../../judge/osv/ranges.js';
import type { OsvRecord } from '../../judge/osv/types.js';
import { requireVersion } from '../../judge/version.js';
import { rangeToEvents, UnsupportedRangeError } from './version-range.js';

const PACKAGE = 'github.com/juanfont/headscale';

function affects(range: string, version: string): boolean {
  const record: OsvRecord = {
    id: 'GHSA-test',
    modified: '2025-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'Go', name: PACKAGE }, ranges: [{ type: 'ECOSYSTEM', events: rangeToEvents(range) }] }],
  };
  return isAffected(record, PACKAGE, requireVersion(version));
}

describe('rangeToEvents', () => {
  it.each([
    ['< 0.26.0', [{ introduced: '0' }, { fixed: '0.26.0' }]],
    ['<= 0.22.3', [{ introduced: '0' }, { last_affected: '0.22.3' }]],
    ['>= 0.23.0, < 0.26.1', [{ introduced: '0.23.0' }, { fixed: '0.26.1' }]],
    ['>= 0.23.0, <= 0.25.1', [{ introduced: '0.23.0' }, { last_affected: '0.25.1' }]],
    ['= 0.24.0', [{ introduced: '0.24.0' }, { last_affected: '0.24.0' }]],
    ['>= 0.20.0', [{ introduced: '0.20.0' }]],
    ['< 0.26.1, >= 0.23.0', [{ introduced: '0.23.0' }, { fixed: '0.26.1' }]],
    ['>= 1.0, < 1.2', [{ introduced: '1.0.0' }, { fixed: '1.2.0' }]],
    ['<= v0.23.0-beta.4', [{ introduced: '0' }, { last_affected: '0.23.0-beta.4' }]],
  ])('converts "%s"', (range, events) => {
    expect(rangeToEvents(range)).toEqual(events);
  });

  it('keeps the meaning of each form', () => {
    expect(affects('< 0.26.0', '0.25.9')).toBe(true);
    expect(affects('< 0.26.0', '0.26.0')).toBe(false);
    expect(affects('<= 0.22.3', '0.22.3')).toBe(true);
    expect(affects('<= 0.22.3', '0.22.4')).toBe(false);
    expect(affects('>= 0.23.0, < 0.26.1', '0.22.3')).toBe(false);
    expect(affects('>= 0.23.0, < 0.26.1', '0.23.0')).toBe(true);
    expect(affects('>= 0.23.0, < 0.26.1', '0.26.1')).toBe(false);
    expect(affects('>= 0.23.0, <= 0.25.1', '0.25.1')).toBe(true);
    expect(affects('>= 0.23.0, <= 0.25.1', '0.26.0')).toBe(false);
    expect(affects('= 0.24.0', '0.24.0')).toBe(true);
    expect(affects('= 0.24.0', '0.24.1')).toBe(false);
    expect(affects('= 0.24.0', '0.23.0')).toBe(false);
  });

  it.each([
    ['> 0.22.0', 'exclusive lower bound'],
    ['> 0.22.0, < 0.23.0', 'exclusive lower bound'],
    ['= 0.24.0, < 0.25.0', '"=" cannot be combined'],
    ['< 0.24.0, < 0.25.0', '2 upper bounds'],
    ['>= 0.25.0, < 0.24.0', 'contains no version'],
    ['>= 0.25.0, < 0.25.0', 'contains no version'],
  ])('rejects "%s"', (range, reason) => {
    expect(() => rangeToEvents(range)).toThrow(UnsupportedRangeError);
    expect(() => rangeToEvents(range)).toThrow(reason);
    expect(() => rangeToEvents(range)).toThrow(`"${range}"`);
  });

  it('rejects a range that does not parse', () => {
    expect(() => rangeToEvents('~> 0.22')).toThrow('invalid GitHub version range "~> 0.22"');
    expect(() => rangeToEvents('< latest')).toThrow('is not a release version');
  });
});
