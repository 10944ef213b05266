/**
 * Requests one `check` cycle sends to the release channels, the first time (empty state) and the
 * second time (ETags stored, so unchanged lists return 304).
 */
import { GitHubFixtureServer } from '../test/fixture/github-server.js';
import { runBuiltCli, withHome } from './headsup-cli.js';

export interface CycleCost {
  /** Requests by path (query string removed) and status, e.g. `GET /repos/juanfont/headscale/releases → 200`. */
  requests: Array<{ request: string; count: number }>;
  total: number;
  /** Requests the fixture charged to GitHub's primary rate limit (every API response except 304). */
  counted: number;
}

export interface ChannelCost {
  first: CycleCost;
  second: CycleCost;
  limitPerHour: number;
}

export async function measureChannelCost(): Promise<ChannelCost> {
  const server = new GitHubFixtureServer();
  await server.start();
  try {
    return await withHome({ apiUrl: server.url, instances: {} }, async (home) => {
      const cycle = async (): Promise<CycleCost> => {
        const seen = server.requests.length;
        const used = server.rateLimit.used;
        const result = await runBuiltCli(home, ['check', '--current', '0.28.0']);
        if (result.exitCode !== 10) throw new Error(`headsup check exited with ${result.exitCode}, expected 10 (update available):\n${result.stdout}\n${result.stderr}`);
        return summarize(server.requests.slice(seen).map((request) => `${request.method} ${request.path.split('?')[0]} → ${request.status ?? 'no answer'}`), server.rateLimit.used - used);
      };
      const first = await cycle();
      const second = await cycle();
      return { first, second, limitPerHour: server.rateLimit.limit };
    });
  } finally {
    await server.close();
  }
}

function summarize(lines: string[], counted: number): CycleCost {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return { requests: [...counts].map(([request, count]) => ({ request, count })), total: lines.length, counted };
}

/** Shortest poll interval, in seconds, at which `countedPerCycle` requests a cycle stay within `limitPerHour`. */
export function minimumIntervalSeconds(countedPerCycle: number, limitPerHour: number): number {
  return (3600 * countedPerCycle) / limitPerHour;
}
