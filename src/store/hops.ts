import type { StateDatabase } from './database.js';

export type StepStatus = 'started' | 'done' | 'failed' | 'skipped';
export type HopOutcome = 'committed' | 'rolled-back' | 'needs-person' | 'aborted';

export interface HopRow {
  id: number;
  instance: string;
  fromVersion: string;
  toVersion: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: HopOutcome | null;
  error: string | null;
  backupDir: string | null;
  artifactPath: string | null;
  artifactSha256: string | null;
  /** SHA-256 of the binary that was installed before the hop. */
  previousSha256: string | null;
}

export interface StepRow {
  hopId: number;
  step: string;
  status: StepStatus;
  startedAt: string;
  finishedAt: string | null;
  detail: string | null;
}

/** The record of every live hop and its steps; progress display and history read the same rows. */
export class HopRepository {
  constructor(private readonly db: StateDatabase) {}

  begin(
    instance: string,
    fromVersion: string,
    toVersion: string,
    at: Date,
    artifact: { path: string | null; sha256: string | null; previousSha256: string } | null = null,
  ): number {
    const result = this.db
      .prepare(
        'INSERT INTO hops (instance, from_version, to_version, started_at, artifact_path, artifact_sha256, previous_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(instance, fromVersion, toVersion, at.toISOString(), artifact?.path ?? null, artifact?.sha256 ?? null, artifact?.previousSha256 ?? null);
    return Number(result.lastInsertRowid);
  }

  setBackup(hopId: number, backupDir: string): void {
    this.db.prepare('UPDATE hops SET backup_dir = ? WHERE id = ?').run(backupDir, hopId);
  }

  finish(hopId: number, outcome: HopOutcome, at: Date, error: string | null = null): void {
    this.db.prepare('UPDATE hops SET outcome = ?, finished_at = ?, error = ? WHERE id = ?').run(outcome, at.toISOString(), error, hopId);
  }

  /** Records that a step started; returns the step row id for `endStep`. */
  startStep(hopId: number, step: string, at: Date): number {
    const result = this.db
      .prepare("INSERT INTO hop_steps (hop_id, step, status, started_at) VALUES (?, ?, 'started', ?)")
      .run(hopId, step, at.toISOString());
    return Number(result.lastInsertRowid);
  }

  endStep(stepId: number, status: Exclude<StepStatus, 'started'>, at: Date, detail: string | null = null): void {
    this.db.prepare('UPDATE hop_steps SET status = ?, finished_at = ?, detail = ? WHERE id = ?').run(status, at.toISOString(), detail, stepId);
  }

  steps(hopId: number): StepRow[] {
    const rows = this.db
      .prepare('SELECT hop_id, step, status, started_at, finished_at, detail FROM hop_steps WHERE hop_id = ? ORDER BY id')
      .all(hopId) as Array<{ hop_id: number; step: string; status: StepStatus; started_at: string; finished_at: string | null; detail: string | null }>;
    return rows.map((row) => ({
      hopId: row.hop_id,
      step: row.step,
      status: row.status,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      detail: row.detail,
    }));
  }

  latest(instance: string): HopRow | null {
    const row = this.db.prepare(`SELECT ${HOP_COLUMNS} FROM hops WHERE instance = ? ORDER BY id DESC LIMIT 1`).get(instance) as HopRecord | undefined;
    return row ? toHopRow(row) : null;
  }

  /** Finds the hop of `instance` that a crashed run started but never finished, if any. */
  unfinished(instance: string): HopRow | null {
    const row = this.db
      .prepare(`SELECT ${HOP_COLUMNS} FROM hops WHERE instance = ? AND outcome IS NULL ORDER BY id DESC LIMIT 1`)
      .get(instance) as HopRecord | undefined;
    return row ? toHopRow(row) : null;
  }

  /** Lists every instance that has an unfinished hop. */
  instancesWithUnfinishedHops(): string[] {
    return (this.db.prepare('SELECT DISTINCT instance FROM hops WHERE outcome IS NULL').all() as Array<{ instance: string }>).map((row) => row.instance);
  }

  all(instance: string): HopRow[] {
    const rows = this.db.prepare(`SELECT ${HOP_COLUMNS} FROM hops WHERE instance = ? ORDER BY id`).all(instance) as HopRecord[];
    return rows.map(toHopRow);
  }
}

const HOP_COLUMNS = 'id, instance, from_version, to_version, started_at, finished_at, outcome, error, backup_dir, artifact_path, artifact_sha256, previous_sha256';

interface HopRecord {
  id: number;
  instance: string;
  from_version: string;
  to_version: string;
  started_at: string;
  finished_at: string | null;
  outcome: HopOutcome | null;
  error: string | null;
  backup_dir: string | null;
  artifact_path: string | null;
  artifact_sha256: string | null;
  previous_sha256: string | null;
}

function toHopRow(row: HopRecord): HopRow {
  return {
    id: row.id,
    instance: row.instance,
    fromVersion: row.from_version,
    toVersion: row.to_version,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    error: row.error,
    backupDir: row.backup_dir,
    artifactPath: row.artifact_path,
    artifactSha256: row.artifact_sha256,
    previousSha256: row.previous_sha256,
  };
}
