import { resolvePolicy, type EffectivePolicy, type PolicyLayer } from '../decide/policy/resolve.js';
import type { HeadsupConfig } from './load.js';

/**
 * Lists the policy layers of an instance, most general first: the top-level `policy:`, then its
 * environment's, then its own. Without an instance name, only the top level.
 */
export function policyLayers(config: Pick<HeadsupConfig, 'policy' | 'environments' | 'instances'>, instance?: string): PolicyLayer[] {
  const layers: PolicyLayer[] = [{ origin: 'policy', policy: config.policy }];
  const settings = instance ? config.instances.get(instance) : undefined;
  if (!settings) return layers;

  const environment = config.environments[settings.environment];
  if (environment) layers.push({ origin: `environments.${settings.environment}.policy`, policy: environment.policy });
  layers.push({ origin: `instances.${instance}.policy`, policy: settings.policy });
  return layers;
}

/** Resolves the effective policy of an instance, or of the top level when no instance is named. */
export function policyFor(config: Pick<HeadsupConfig, 'policy' | 'environments' | 'instances'>, instance?: string): EffectivePolicy {
  return resolvePolicy(policyLayers(config, instance));
}
