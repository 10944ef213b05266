import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Gives the whole test run one private temporary folder (through TMPDIR, which the workers
 * inherit) and removes it afterwards, so that lab servers, backups and downloads of a run do not
 * pile up in /tmp. HEADSUP_KEEP_LAB=1 keeps it for inspection.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'headsup-test-'));
  process.env.TMPDIR = dir;
  return () => {
    if (process.env.HEADSUP_KEEP_LAB === '1') {
      process.stderr.write(`headsup tests: kept ${dir}\n`);
      return;
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
