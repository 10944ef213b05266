/**
 * `npm run bench`: measures upgrade downtime, rollback time, backups, channel cost and CLI latency
 * on 127.0.0.1 with real Headscale builds, and writes BENCHMARKS.md. Options: `--runs N`,
 * `--sizes 100,1000`, `--cli-runs N`, `--out FILE`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { serveBinaries } from '../test/e2e/headsup-harness.js';
import { GitHubFixtureServer } from '../test/fixture/github-server.js';
import { measureChannelCost } from './channel.js';
import { measureCommands } from './commands.js';
import { measureDowntime, METHODS, type DowntimeSample } from './downtime.js';
import { rehearsalRetries } from './headsup-cli.js';
import { describeMachine } from './machine.js';
import { renderReport, TARGET_NODES } from './report.js';
import { measureRollback, type RollbackSample } from './rollback.js';
import { buildTemplates, FROM_VERSION, TO_VERSION } from './seed-db.js';

const DEFAULT_OUT = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));
/** Large enough that the upgrade runs never exhaust the fixture's rate limit; section 4 uses its own server with GitHub's 60. */
const UNLIMITED = 1_000_000;

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '5' },
      sizes: { type: 'string', default: '100,1000' },
      'cli-runs': { type: 'string', default: '15' },
      out: { type: 'string', default: DEFAULT_OUT },
    },
  });
  const runs = positiveInteger('--runs', values.runs);
  const cliRuns = positiveInteger('--cli-runs', values['cli-runs']);
  const sizes = values.sizes.split(',').map((size) => positiveInteger('--sizes', size.trim().replaceAll('_', '')));
  return { runs, cliRuns, sizes, out: values.out };
}

function positiveInteger(option: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${option} "${text}" is not a positive integer; write for example ${option} 5`);
  return value;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const workDir = await mkdtemp(join(tmpdir(), 'headsup-bench-'));
  const server = new GitHubFixtureServer({ rateLimit: { limit: UNLIMITED } });
  try {
    const machine = await describeMachine([FROM_VERSION, TO_VERSION]);
    await server.start();
    await serveBinaries(server, [FROM_VERSION, TO_VERSION]);

    const seedStarted = Date.now();
    const templates = await buildTemplates(workDir, options.sizes, log);
    const seedSeconds = Math.round((Date.now() - seedStarted) / 1000);

    const downtime: DowntimeSample[] = [];
    for (const nodes of options.sizes) {
      for (let run = 0; run < options.runs; run++) {
        for (const method of rotate(METHODS, run)) {
          const sample = await measureDowntime(method, nodes, templates.get(nodes)!, server);
          log(`downtime ${nodes} nodes, run ${run + 1}/${options.runs}, ${method}: ${Math.round(sample.downtimeMs)} ms`);
          downtime.push(sample);
        }
      }
    }

    const rollbackNodes = options.sizes.includes(TARGET_NODES) ? TARGET_NODES : options.sizes[0]!;
    const rollback: RollbackSample[] = [];
    for (let run = 0; run < options.runs; run++) {
      for (const method of rotate(['headsup', 'manual'] as const, run)) {
        const sample = await measureRollback(method, templates.get(rollbackNodes)!, server);
        log(`rollback ${rollbackNodes} nodes, run ${run + 1}/${options.runs}, ${method}: ${Math.round(sample.rollbackMs)} ms`);
        rollback.push(sample);
      }
    }

    const channel = await measureChannelCost();
    log(`channel: first cycle ${channel.first.total} requests (${channel.first.counted} counted), second ${channel.second.total} (${channel.second.counted} counted)`);
    const commands = await measureCommands(server, options.cliRuns, options.runs);

    const report = renderReport({
      command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      machine,
      runs: options.runs,
      sizes: options.sizes,
      seedSeconds,
      downtime,
      rollbackNodes,
      rollback,
      channel,
      ...commands,
      rehearsalRetries: rehearsalRetries.count,
    });
    await writeFile(options.out, report);
    log(`wrote ${options.out}`);
  } finally {
    await server.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The list shifted left by `by`, so that each method takes each position in turn. */
function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
