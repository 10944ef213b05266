import type { Hop } from '../decide/path.js';

export type HopStep = 'fetch' | 'checks' | 'rehearse' | 'preflight' | 'stop' | 'backup' | 'swap' | 'start' | 'verify' | 'commit' | 'rollback';

export interface StepEvent {
  instance: string;
  hop: Hop;
  step: HopStep;
  status: 'started' | 'done' | 'failed' | 'skipped';
  detail?: string;
}

/** Receives each step as it runs; the CLI prints it, tests collect it. */
export interface ProgressReporter {
  step(event: StepEvent): void;
}

export const silentReporter: ProgressReporter = { step: () => undefined };
