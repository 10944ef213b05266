/** Section 5: latency of short commands and peak memory of `headsup run`, against lab servers. */
import type { GitHubFixtureServer } from '../test/fixture/github-server.js';
import { Lab } from '../test/lab/index.js';
import { headsupCase, measureLatency, nodeBaseline, peakMemoryKib, type CommandTiming } from './cli-latency.js';
import { HEADSUP_BIN, runBuiltCli, withHome } from './headsup-cli.js';
import { FROM_VERSION, TO_VERSION } from './seed-db.js';
import { median } from './stats.js';

export interface CommandResults {
  latency: CommandTiming[];
  memory: Array<{ label: string; medianKib: number; samples: number }>;
  runCommandNote: string;
}

/** `check` exits 0 when every instance is up to date and 10 when an update is available. */
const CHECK_EXIT_CODES = [0, 10];

export async function measureCommands(server: GitHubFixtureServer, latencyRuns: number, memoryRuns: number): Promise<CommandResults> {
  const lab = new Lab();
  try {
    const behind = await lab.started(FROM_VERSION);
    const current = await lab.started(TO_VERSION);

    const latency = await withHome({ apiUrl: server.url, instances: { hs1: behind } }, async (home) => {
      const warm = await runBuiltCli(home, ['check']);
      if (!CHECK_EXIT_CODES.includes(warm.exitCode ?? -1)) throw new Error(`warming check exited with ${warm.exitCode}:\n${warm.stdout}\n${warm.stderr}`);

      return measureLatency(
        [nodeBaseline, headsupCase('headsup --help', ['--help'], [0]), headsupCase('headsup check --json --offline', ['--config', home.configPath, 'check', '--json', '--offline'], CHECK_EXIT_CODES)],
        latencyRuns,
      );
    });

    const memory = await withHome({ apiUrl: server.url, instances: { hs1: current } }, async (home) => {
      const cases = [
        { label: 'node -e 0', args: ['-e', '0'], exitCodes: [0] },
        { label: 'headsup check --json --offline', args: [HEADSUP_BIN, '--config', home.configPath, 'check', '--json', '--offline'], exitCodes: CHECK_EXIT_CODES },
        { label: 'headsup run', args: [HEADSUP_BIN, '--config', home.configPath, 'run'], exitCodes: [0] },
      ];
      const samples = cases.map(() => [] as number[]);
      for (let run = 0; run < memoryRuns; run++) {
        for (const [index, entry] of cases.entries()) samples[index]!.push(await peakMemoryKib(entry.args, entry.exitCodes));
      }
      return cases.map((entry, index) => ({ label: entry.label, medianKib: median(samples[index]!), samples: memoryRuns }));
    });

    const runCommandNote = `\`headsup run\` ran against one up-to-date instance (a running ${TO_VERSION} lab server) and the fixture server: it polls the channels, plans, finds nothing to do and exits 0.`;
    return { latency, memory, runCommandNote };
  } finally {
    await lab.disposeAll();
  }
}

