export { cliDialect, type CliDialect } from './cli-dialect.js';
export { diffSnapshots, formatDifferences, unexpectedDifferences, type ExpectedChange, type SnapshotDifference } from './diff.js';
export { EXPECTED_CHANGES, expectedChangesBetween } from './expected-changes.js';
export { rehearsePath, type RehearsalInput, type RehearsalResult } from './rehearse.js';
export { DEFAULT_REHEARSAL_TIMEOUTS, type HopRehearsal, type RehearsalStep, type RehearsalTimeouts } from './rehearse-hop.js';
export { createSandbox, type Sandbox, type SandboxOptions } from './sandbox.js';
export { captureSnapshot, type Snapshot, type SnapshotTarget } from './snapshot.js';
