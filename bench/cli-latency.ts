/** Wall time and peak memory of short headsup commands, spawned as a user runs them. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

import { HEADSUP_BIN } from './headsup-cli.js';
import { median } from './stats.js';

const SPAWN_TIMEOUT_MS = 120_000;
export const TIME_BINARY = '/usr/bin/time';

export interface CommandTiming {
  label: string;
  medianMs: number;
  samples: number;
}

/** Spawns `command` and resolves with its wall time; rejects on a non-accepted exit code or a timeout. */
export function timeSpawn(command: string, args: readonly string[], acceptedExitCodes: readonly number[] = [0]): Promise<{ ms: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), SPAWN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (code === null || !acceptedExitCodes.includes(code)) reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr}`));
      else resolve({ ms, stderr });
    });
  });
}

export interface LatencyCase {
  label: string;
  args: string[];
  acceptedExitCodes: number[];
}

/** Runs every case `runs` times, interleaved so that drift in machine load hits all of them alike. */
export async function measureLatency(cases: readonly LatencyCase[], runs: number): Promise<CommandTiming[]> {
  const samples = cases.map(() => [] as number[]);
  for (let run = 0; run < runs; run++) {
    for (const [index, entry] of cases.entries()) samples[index]!.push((await timeSpawn(process.execPath, entry.args, entry.acceptedExitCodes)).ms);
  }
  return cases.map((entry, index) => ({ label: entry.label, medianMs: median(samples[index]!), samples: runs }));
}

/** Peak resident memory in KiB of `node <args>`, read from GNU time's `Maximum resident set size`. */
export async function peakMemoryKib(args: readonly string[], acceptedExitCodes: readonly number[]): Promise<number> {
  if (!existsSync(TIME_BINARY)) throw new Error(`${TIME_BINARY} is missing; install GNU time (Debian package "time")`);

  const { stderr } = await timeSpawn(TIME_BINARY, ['-v', process.execPath, ...args], acceptedExitCodes);
  const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  if (!match) throw new Error(`${TIME_BINARY} -v printed no maximum resident set size:\n${stderr}`);
  return Number(match[1]);
}

export const nodeBaseline: LatencyCase = { label: 'node -e 0', args: ['-e', '0'], acceptedExitCodes: [0] };

export function headsupCase(label: string, args: string[], acceptedExitCodes: number[]): LatencyCase {
  return { label, args: [HEADSUP_BIN, ...args], acceptedExitCodes };
}
