/**
 * Starts a real Headscale on 127.0.0.1 with an offline config and leaves it running, so that a
 * person can try headsup against it:
 *
 *   npm run lab -- v0.28.0 [--seed] [--name lab] [--api-url http://127.0.0.1:8787] [--old-example-config]
 *
 * Writes `headsup.yaml` into the instance's folder: one instance named `--name`, with state, cache
 * and backups inside that folder, and the release channel at `--api-url` (for example the fixture
 * server of `npm run fixture-server`). `--old-example-config` writes `randomize_client_port: false`
 * as every example config up to 0.28 does, which 0.29 rejects at startup. The binary of the version
 * must be built first (`bash scripts/setup-headscale.sh v0.28.0`). Stop the server with the printed
 * stop script.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HeadscaleInstance } from './instance.js';
import { seed } from './seed.js';

const USAGE = 'usage: npm run lab -- v0.28.0 [--seed] [--name lab] [--api-url URL] [--old-example-config]';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seed: { type: 'boolean', default: false },
      name: { type: 'string', default: 'lab' },
      'api-url': { type: 'string', default: 'http://127.0.0.1:8787' },
      'old-example-config': { type: 'boolean', default: false },
    },
  });
  const version = positionals[0];
  if (!version) throw new Error(`missing the Headscale version; ${USAGE}`);

  const instance = await HeadscaleInstance.create(version, values['old-example-config'] ? { randomizeClientPort: false } : {});
  await instance.start();
  await instance.waitHealthy();
  if (values.seed) {
    const seeded = await seed(instance, { users: 2, preAuthKeysPerUser: 2, nodesPerUser: 2 });
    console.log(`seeded ${seeded.users.length} users, ${seeded.preAuthKeys.length} pre-auth keys and ${seeded.nodes.length} nodes`);
  }
  instance.detach();

  const configPath = join(instance.dir, 'headsup.yaml');
  await writeFile(configPath, headsupConfig(instance, values.name, values['api-url']));
  console.log(`Headscale ${version} runs in ${instance.dir}
  health: ${instance.healthUrl}
  CLI:    ${instance.binaryPath} -c ${instance.configPath} nodes list
  stop:   ${instance.scripts.stop}

headsup config: ${configPath}
  node bin/headsup.js --config ${configPath} check`);
}

function headsupConfig(instance: HeadscaleInstance, name: string, apiUrl: string): string {
  return `# headsup config for a lab Headscale; state, cache and backups stay in this folder.
state: ${join(instance.dir, 'headsup', 'state.db')}
cache_dir: ${join(instance.dir, 'headsup', 'cache')}
backups: { dir: ${join(instance.dir, 'headsup', 'backups')} }
channels:
  github: { api_url: ${apiUrl} }
  github_atom: { web_url: ${apiUrl} }
  osv: { api_url: ${apiUrl} }
instances:
  ${name}:
    binary: ${instance.binaryPath}
    config: ${instance.configPath}
    health_url: ${instance.healthUrl}
    service:
      start: ${instance.scripts.start}
      stop: ${instance.scripts.stop}
      status: ${instance.scripts.status}
      logs: tail -n 60 ${instance.logPath}
`;
}

main().catch((error: unknown) => {
  console.error(`lab: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
