#!/usr/bin/env node
// Writes data/releases-snapshot.json, the release list headsup falls back on when no channel can
// be reached, from a Headscale release history file.
//
// Usage: node scripts/make-release-snapshot.mjs INPUT [--output FILE] [--snapshot-date YYYY-MM-DD]
//
// INPUT is JSON of the form {"repository", "source", "releases": [{"tag", "date", "prerelease"}]}.
// The snapshot date defaults to the "snapshot of YYYY-MM-DD" that the input's `source` names.
// Only tags of the form vX.Y.Z[-alphaN|-betaN|-beta.N|-rc.N] are kept; they stay in input order.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const RELEASE_TAG = /^v\d+\.\d+\.\d+(?:-(?:alpha|beta|rc)\.?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      output: { type: 'string', default: fileURLToPath(new URL('../data/releases-snapshot.json', import.meta.url)) },
      'snapshot-date': { type: 'string' },
    },
  });
  const [input] = positionals;
  if (!input) fail('missing INPUT; usage: node scripts/make-release-snapshot.mjs INPUT [--output FILE] [--snapshot-date YYYY-MM-DD]');

  const history = JSON.parse(readFileSync(input, 'utf8'));
  if (!Array.isArray(history.releases)) fail(`${input} has no "releases" array`);

  const snapshotDate = values['snapshot-date'] ?? /snapshot of (\d{4}-\d{2}-\d{2})/.exec(history.source ?? '')?.[1];
  if (!snapshotDate || !DATE.test(snapshotDate)) fail(`no snapshot date in ${input}; pass --snapshot-date YYYY-MM-DD`);

  const releases = history.releases.filter((release) => RELEASE_TAG.test(release.tag)).map(toSnapshotRelease);
  const snapshot = {
    snapshotDate,
    source: `Release tags of ${history.repository ?? 'juanfont/headscale'} as of ${snapshotDate}, oldest first: ${history.source ?? 'unknown source'}. Dates are tag dates, which can differ from GitHub's published_at; no release notes or assets.`,
    repository: history.repository ?? 'juanfont/headscale',
    releases,
  };

  const output = resolve(values.output);
  writeFileSync(output, `${JSON.stringify(snapshot, null, 2)}\n`);
  console.log(`wrote ${releases.length} releases to ${output}`);
}

function toSnapshotRelease(release) {
  const date = new Date(release.date);
  if (Number.isNaN(date.getTime())) fail(`release ${release.tag} has an invalid date "${release.date}"`);
  if (typeof release.prerelease !== 'boolean') fail(`release ${release.tag} has no boolean "prerelease"`);

  return { tag: release.tag, publishedAt: date.toISOString(), prerelease: release.prerelease };
}

function fail(message) {
  console.error(`make-release-snapshot: ${message}`);
  process.exit(2);
}

main();
