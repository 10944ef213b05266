import { compareVersions, requireVersion, type Version } from '../judge/version.js';
import type { ExpectedChange } from './diff.js';

/**
 * Changes that Headscale 0.26–0.29 make to the data on purpose and that the snapshot normalisers
 * cannot hide without hiding a real fault. Each was seen on the real binaries in the rehearsal
 * tests. Across 0.26.1 → 0.27.1 → 0.28.0 → 0.29.2 the lab data (users, untagged and tagged nodes,
 * routers with approved subnet and exit routes, duplicate and non-DNS hostnames, pre-auth and API
 * keys) changed in nothing else.
 */
export const EXPECTED_CHANGES: readonly ExpectedChange[] = [
  {
    fromBelow: '0.28.0',
    toAtLeast: '0.28.0',
    entity: 'node',
    field: 'owner',
    when: (_before, after) => after !== null && after.tags.length > 0 && after.owner === null,
    reason: 'from 0.28 a tagged node belongs to its tags (listed with the pseudo-user tagged-devices), not to the user that registered it',
  },
];

/** Picks the declarations that apply to an upgrade from `from` to `to`. */
export function expectedChangesBetween(from: Version, to: Version, declarations: readonly ExpectedChange[] = EXPECTED_CHANGES): ExpectedChange[] {
  return declarations.filter(
    (change) => compareVersions(from, requireVersion(change.fromBelow)) < 0 && compareVersions(to, requireVersion(change.toAtLeast)) >= 0,
  );
}
