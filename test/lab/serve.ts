/**
 * Starts a real Headscale on 127.0.0.1 with an offline config and leaves it running, so that a
 * person can try headsup against it:
 *
 *   npm run lab -- v0.28.0 [--seed] [--randomize-client-port]
 *
 * Prints the instance's folder, its scripts and a headsup config that manages it. The binary of
 * the version must be built first (`bash scripts/setup-headscale.sh v0.28.0`). Stop the server
 * with the printed stop script.
 */
import { parseArgs } from 'node:util';
import { HeadscaleInstance } from './instance.js';
import { seed } from './seed.js';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { seed: { type: 'boolean', default: false }, 'randomize-client-port': { type: 'boolean', default: false } },
  });
  const version = positionals[0];
  if (!version) throw new Error('missing the Headscale version; usage: npm run lab -- v0.28.0 [--seed] [--randomize-client-port]');

  const instance = await HeadscaleInstance.create(version, values['randomize-client-port'] ? { randomizeClientPort: false } : {});
  await instance.start();
  await instance.waitHealthy();
  if (values.seed) {
    const seeded = await seed(instance, { users: 2, preAuthKeysPerUser: 2, nodesPerUser: 2 });
    console.log(`seeded ${seeded.users.length} users, ${seeded.preAuthKeys.length} pre-auth keys and ${seeded.nodes.length} nodes`);
  }
  instance.detach();

  console.log(`Headscale ${version} runs in ${instance.dir}
  health: ${instance.healthUrl}
  CLI:    ${instance.binaryPath} -c ${instance.configPath} nodes list
  stop:   ${instance.scripts.stop}

headsup config for this instance:

instances:
  lab:
    binary: ${instance.binaryPath}
    config: ${instance.configPath}
    health_url: ${instance.healthUrl}
    service:
      start: ${instance.scripts.start}
      stop: ${instance.scripts.stop}
      status: ${instance.scripts.status}
      logs: tail -n 60 ${instance.logPath}`);
}

main().catch((error: unknown) => {
  console.error(`lab: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
