export { cachedHeadscaleVersions, headscaleBinary, headscaleCacheDir, headscaleTag, labVersions } from './binaries.js';
export { cliDialect, type CliDialect } from './cli-dialect.js';
export { HeadscaleInstance, Lab } from './instance.js';
export {
  captureInvariants,
  normaliseNodes,
  normalisePreAuthKeys,
  normaliseUsers,
  type Invariants,
  type NodeInvariant,
  type PreAuthKeyInvariant,
  type UserInvariant,
} from './invariants.js';
export { LAB_POLICY, LAB_TAGS, writeOfflineConfig, type LabPorts, type OfflineConfig, type OfflineConfigOptions } from './offline-config.js';
export { freePort } from './ports.js';
export { seed, type SeedOptions, type SeedResult } from './seed.js';
export { STATUS_NOT_RUNNING, STOP_GRACE_SECONDS, type ServiceScripts } from './service-scripts.js';
