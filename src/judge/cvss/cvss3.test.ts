import { describe, expect, it } from 'vitest';
import {
  cvss3BaseScore,
  InvalidCvssVectorError,
  normaliseSeverityLabel,
  parseCvss3Vector,
  roundUp,
  severityOf,
  severityOfScore,
} from './index.js';

// Base scores of vectors seen in real advisories, each matching a hand calculation with the v3.1 formulas.
const published: [string, number][] = [
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10.0],
  ['CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:N', 3.8],
  ['CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:U/C:L/I:L/A:N', 3.5],
  ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
  ['CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', 1.6],
  ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4],
  ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0.0],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N', 0.0],
  ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8],
  ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', 5.9],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N', 5.3],
  ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N', 5.5],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N', 6.5],
  ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N', 4.3],
  ['CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.0],
  ['CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.8],
  ['CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', 7.2],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:N/A:N', 4.7],
  ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5],
  ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
  ['CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1],
  ['CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
  ['CVSS:3.0/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8],
];

describe('cvss3BaseScore', () => {
  it.each(published)('scores %s as %d', (vector, score) => {
    expect(cvss3BaseScore(vector)).toBe(score);
  });

  it('ignores temporal and environmental metrics', () => {
    const vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R/CR:L/MAV:P/MC:N';
    expect(cvss3BaseScore(vector)).toBe(9.8);
  });

  it('accepts metrics in any order', () => {
    expect(cvss3BaseScore('CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N')).toBe(9.8);
  });
});

describe('roundUp', () => {
  it('keeps values already at one decimal', () => {
    expect(roundUp(4.0)).toBe(4.0);
  });

  it('absorbs floating-point noise', () => {
    expect(roundUp(4.000000000000001)).toBe(4.0);
  });

  it('rounds any remainder up', () => {
    expect(roundUp(4.02)).toBe(4.1);
  });
});

describe('parseCvss3Vector', () => {
  it('returns version and base metrics', () => {
    expect(parseCvss3Vector('CVSS:3.0/AV:A/AC:H/PR:L/UI:R/S:C/C:L/I:N/A:H')).toEqual({
      version: '3.0',
      base: { AV: 'A', AC: 'H', PR: 'L', UI: 'R', S: 'C', C: 'L', I: 'N', A: 'H' },
    });
  });

  const invalid: [string, string][] = [
    ['CVSS:2.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:2.0'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'CVSS:4.0'],
    ['AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'AV:N'],
    ['CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'AV:Q'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:h', 'A:h'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H', 'S:X'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1', 'ZZ:1'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z', 'E:Z'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L', 'AV:L'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/', ''],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', 'A'],
    ['CVSS:3.1/AV:N/AC:L/UI:N/S:U/C:H/I:H', 'PR, A'],
    ['CVSS:3.1/AV:N:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'AV:N:L'],
  ];

  it.each(invalid)('rejects %s naming "%s"', (vector, part) => {
    expect(() => parseCvss3Vector(vector)).toThrow(InvalidCvssVectorError);
    try {
      parseCvss3Vector(vector);
    } catch (error) {
      expect((error as InvalidCvssVectorError).part).toBe(part);
      expect((error as Error).message).toContain(part);
    }
  });

  it('rejects an empty string', () => {
    expect(() => parseCvss3Vector('')).toThrow(/prefix "" is not CVSS:3.0 or CVSS:3.1/);
  });
});

describe('severityOfScore', () => {
  const ratings: [number, string][] = [
    [0, 'none'],
    [0.1, 'low'],
    [3.9, 'low'],
    [4.0, 'medium'],
    [6.9, 'medium'],
    [7.0, 'high'],
    [8.9, 'high'],
    [9.0, 'critical'],
    [10.0, 'critical'],
  ];

  it.each(ratings)('rates %d as %s', (score, severity) => {
    expect(severityOfScore(score)).toBe(severity);
  });

  it.each([-0.1, 10.1, Number.NaN])('rejects %d', (score) => {
    expect(() => severityOfScore(score)).toThrow(RangeError);
  });
});

describe('normaliseSeverityLabel', () => {
  const labels: [string, string | null][] = [
    ['LOW', 'low'],
    ['Medium', 'medium'],
    ['MODERATE', 'medium'],
    ['moderate', 'medium'],
    ['HIGH', 'high'],
    ['Important', 'high'],
    ['CRITICAL', 'critical'],
    [' critical\n', 'critical'],
    ['none', null],
    ['unknown', null],
    ['', null],
  ];

  it.each(labels)('maps "%s" to %s', (label, expected) => {
    expect(normaliseSeverityLabel(label)).toBe(expected);
  });
});

describe('severityOf', () => {
  it('takes the highest vector score', () => {
    const vectors = ['CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'];
    expect(severityOf({ vectors })).toBe('critical');
  });

  it('prefers a vector over the label', () => {
    const vectors = ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N'];
    expect(severityOf({ vectors, label: 'CRITICAL' })).toBe('medium');
  });

  it('rates a zero score as none', () => {
    const vectors = ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N'];
    expect(severityOf({ vectors, label: 'HIGH' })).toBe('none');
  });

  it('skips unparsable and non-v3 vectors', () => {
    const vectors = ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N'];
    expect(severityOf({ vectors, label: 'CRITICAL' })).toBe('medium');
  });

  it('falls back to the label', () => {
    expect(severityOf({ vectors: ['CVSS:4.0/AV:N'], label: 'MODERATE' })).toBe('medium');
  });

  it('uses the label without vectors', () => {
    expect(severityOf({ label: 'Important' })).toBe('high');
  });

  it('returns null when nothing is known', () => {
    expect(severityOf({})).toBeNull();
  });

  it('returns null for an unknown label', () => {
    expect(severityOf({ vectors: [], label: 'whatever' })).toBeNull();
  });
});
