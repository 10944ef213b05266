import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

import { nodeProcessRunner } from '../src/platform/exec.js';
import { headscaleBinary } from '../test/lab/index.js';

export interface MachineInfo {
  cpus: number;
  memory: string;
  cpuModel: string;
  node: string;
  headscale: string[];
}

/** Describes the machine the numbers come from: CPU count and model, memory, Node and the Headscale builds used. */
export async function describeMachine(versions: readonly string[]): Promise<MachineInfo> {
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const headscale: string[] = [];
  for (const version of versions) {
    const result = await nodeProcessRunner.run(headscaleBinary(version), ['version'], { timeoutMs: 30_000 });
    headscale.push(result.stdout.trim().split('\n')[0] ?? version);
  }
  return { cpus: availableParallelism(), memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`, cpuModel, node: process.version, headscale };
}
