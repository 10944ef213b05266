import { describe, expect, it } from 'vitest';
import { securitySignal } from './release-notes.js';

describe('securitySignal', () => {
  it('finds advisory ids and security words with the line they stand on', () => {
    const notes = [
      '## Changes',
      '- Fix route approval for exit nodes',
      '- Security fix: OIDC users were matched by email (GHSA-wp76-cf2j-rqq7)',
      '- Closes CVE-2023-47390, an exposure of private keys in logs',
    ].join('\n');

    const signal = securitySignal(notes);

    expect(signal?.terms).toEqual(['security', 'GHSA-WP76-CF2J-RQQ7', 'CVE-2023-47390', 'exposure']);
    expect(signal?.evidence.map((item) => item.excerpt)).toEqual([
      'Security fix: OIDC users were matched by email (GHSA-wp76-cf2j-rqq7)',
      'Closes CVE-2023-47390, an exposure of private keys in logs',
    ]);
  });

  it.each([
    ['vulnerabilities', 'This release addresses two vulnerabilities.'],
    ['privilege escalation', 'Prevents a privilege escalation through tags.'],
    ['denial of service', 'A crafted request could cause a denial of service.'],
    ['acl bypass', 'Fixes an ACL bypass for autogroup:self.'],
    ['unauthorized access', 'Unauthorized access to the debug endpoint is no longer possible.'],
    ['leaked', 'Pre-auth keys leaked into the log at debug level.'],
    ['cvss', 'Rated CVSS 7.5.'],
  ])('flags %s', (term, notes) => {
    expect(securitySignal(notes)?.terms).toEqual([term]);
  });

  it.each([
    'Adds tags to the node list output.',
    'Removes the deprecated dns_config key; see the docs.',
    'Exports metrics in the Prometheus format.',
    'Leaky abstractions in the mapper were cleaned up? No: tidied.',
    'A new injectable clock for tests.',
  ])('stays silent on %j', (notes) => {
    expect(securitySignal(notes)).toBeNull();
  });

  it('cuts long lines and limits evidence', () => {
    const long = `${'a'.repeat(300)} security ${'b'.repeat(300)}`;
    const excerpt = securitySignal(long)?.evidence[0]?.excerpt ?? '';
    expect(excerpt.length).toBeLessThanOrEqual(162);
    expect(excerpt).toContain('security');
    expect(excerpt.startsWith('…')).toBe(true);
    expect(excerpt.endsWith('…')).toBe(true);

    const many = ['CVE-2024-0001', 'CVE-2024-0002', 'CVE-2024-0003', 'CVE-2024-0004', 'CVE-2024-0005', 'CVE-2024-0006'].join('\n');
    const signal = securitySignal(many);
    expect(signal?.terms).toHaveLength(6);
    expect(signal?.evidence).toHaveLength(5);
  });
});
