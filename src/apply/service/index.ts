import type { ServiceSettings } from '../../config/schema.js';
import type { ProcessRunner } from '../../platform/exec.js';
import { CommandServiceManager } from './command/index.js';
import type { ServiceManager } from './service-manager.js';
import { SystemdServiceManager } from './systemd/index.js';

export type { ServiceManager } from './service-manager.js';

/** Builds the service manager an instance's `service:` setting names. */
export function createServiceManager(settings: ServiceSettings, runner: ProcessRunner): ServiceManager {
  if ('systemd' in settings) return new SystemdServiceManager(settings.systemd, runner);
  return new CommandServiceManager(settings, runner);
}
