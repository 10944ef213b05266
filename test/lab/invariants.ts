import { nodeProcessRunner } from '../../src/platform/exec.js';
import { normaliseNodes as normaliseNodeSnapshots, type NodeSnapshot } from '../../src/rehearse/normalise.js';
import { captureSnapshot, type Snapshot } from '../../src/rehearse/snapshot.js';
import type { HeadscaleInstance } from './instance.js';

export { normalisePreAuthKeys, normaliseUsers, timestamp } from '../../src/rehearse/normalise.js';
export type { PreAuthKeySnapshot as PreAuthKeyInvariant, UserSnapshot as UserInvariant } from '../../src/rehearse/normalise.js';

/**
 * The snapshot of src/rehearse/snapshot.ts with one more normalisation: a tagged node has no owner
 * in any version. 0.28 moved tagged nodes from their user to their tags. The rehearsal declares
 * that as an expected change, while the lab tests compare snapshots of 0.27 and 0.28 directly.
 */
export type Invariants = Snapshot & { nodes: NodeInvariant[] };
export type NodeInvariant = NodeSnapshot;

/** Reads users, nodes, pre-auth keys, API keys and the policy of a running lab instance through its CLI. */
export async function captureInvariants(instance: HeadscaleInstance): Promise<Invariants> {
  const snapshot = await captureSnapshot({ runner: nodeProcessRunner, binaryPath: instance.binaryPath, configPath: instance.configPath, version: instance.version });

  return { ...snapshot, nodes: snapshot.nodes.map(withoutTaggedOwner) };
}

export function normaliseNodes(output: unknown): NodeInvariant[] {
  return normaliseNodeSnapshots(output).map(withoutTaggedOwner);
}

function withoutTaggedOwner(node: NodeSnapshot): NodeInvariant {
  return node.tags.length > 0 ? { ...node, owner: null } : node;
}
