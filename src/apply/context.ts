import type { Clock } from '../platform/clock.js';
import type { ProcessRunner } from '../platform/exec.js';
import type { FileSystem } from '../platform/fs.js';
import type { HttpClient } from '../platform/http.js';
import type { Logger } from '../platform/logger.js';
import type { EventRepository } from '../store/events.js';
import type { HopRepository } from '../store/hops.js';
import type { InstalledBinaryRepository } from '../store/installed-binaries.js';
import type { VerifiedArtifactRepository } from '../store/verified-artifacts.js';
import type { ProgressReporter } from './progress.js';

/** Everything the upgrade engine uses from the outside world, passed in so tests can drive it. */
export interface ApplyContext {
  fs: FileSystem;
  http: HttpClient;
  clock: Clock;
  runner: ProcessRunner;
  logger: Logger;
  hops: HopRepository;
  installs: InstalledBinaryRepository;
  pins: VerifiedArtifactRepository;
  events: EventRepository;
  reporter: ProgressReporter;
  backupsDir: string;
  cacheDir: string;
  /** Complete backups kept per instance; older ones are pruned after each upgrade. */
  backupsKeep: number;
  /** Private folder of rehearsal sandboxes; a failed rehearsal's sandbox stays there. */
  rehearsalsDir: string;
  /** Folder of the per-instance lock files. */
  lockDir: string;
  /** How long a stopped server may keep responding on its health URL before the stop counts as failed. */
  stopTimeoutMs?: number;
  /**
   * Test hook: `before:<step>` or `after:<step>` kills this process with SIGKILL at that step
   * boundary of a live hop. Set from HEADSUP_TEST_CRASH_AT; never set in normal operation.
   */
  crashAt?: string | undefined;
}
