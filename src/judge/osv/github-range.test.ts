import { describe, expect, it } from 'vitest';
import { requireVersion } from '../version.js';
import { parseGithubRange } from './github-range.js';

describe('parseGithubRange', () => {
  const cases: [range: string, version: string, expected: boolean][] = [
    ['<= 0.22.3', '0.22.3', true],
    ['<= 0.22.3', '0.22.2', true],
    ['<= 0.22.3', '0.22.4', false],
    ['<= 0.22.3', '0.23.0-alpha1', false],
    ['< 0.24.0', '0.23.0', true],
    ['< 0.24.0', '0.24.0-beta.2', true],
    ['< 0.24.0', '0.24.0', false],
    ['> 0.22.3', '0.22.3', false],
    ['> 0.22.3', '0.23.0-alpha1', true],
    ['>= 0.1.0, < 0.24.0', '0.1.0', true],
    ['>= 0.1.0, < 0.24.0', '0.23.0', true],
    ['>= 0.1.0, < 0.24.0', '0.0.9', false],
    ['>= 0.1.0, < 0.24.0', '0.24.0', false],
    ['= 1.2.3', '1.2.3', true],
    ['= 1.2.3', 'v1.2.3', true],
    ['= 1.2.3', '1.2.4', false],
    ['=1.2.3', '1.2.3', true],
    ['>= v0.26.0,<0.26.1', '0.26.0', true],
    ['>= 1.0, < 1.2', '1.1.5', true],
    ['>= 1.0, < 1.2', '1.2.0', false],
    ['< 0.23.0-beta.4', '0.23.0-beta3', true],
    ['< 0.23.0-beta.4', '0.23.0-rc.1', false],
  ];

  it.each(cases)('%s with %s is %s', (range, version, expected) => {
    expect(parseGithubRange(range)(requireVersion(version))).toBe(expected);
  });

  const invalid: [range: string, message: RegExp][] = [
    ['', /comparison "" must be an operator/],
    ['0.22.3', /comparison "0.22.3" must be an operator/],
    ['~> 0.22.3', /comparison "~> 0.22.3" must be an operator/],
    ['>= 0.1.0,', /comparison "" must be an operator/],
    ['< 0.24.0 || > 1.0.0', /comparison "< 0.24.0 \|\| > 1.0.0" must be an operator/],
    ['<= latest', /"latest" in comparison "<= latest" is not a release version/],
    ['>= 0.1.0, < 0.28-fix', /"0.28-fix" in comparison "< 0.28-fix" is not a release version/],
  ];

  it.each(invalid)('rejects %j', (range, message) => {
    expect(() => parseGithubRange(range)).toThrow(message);
  });
});
