import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitHubFixtureServer } from '../test/fixture/github-server.js';
import { serveBinaries } from '../test/e2e/headsup-harness.js';
import { buildTemplates } from './seed-db.js';
import { measureDowntime, METHODS } from './downtime.js';
const dir = await mkdtemp(join(tmpdir(), 'headsup-bench-'));
const server = new GitHubFixtureServer();
try {
  await server.start();
  await serveBinaries(server, ['0.28.0', '0.29.2']);
  let t = Date.now();
  const templates = await buildTemplates(dir, [100, 1000, 10000], console.log);
  console.log('templates', Date.now() - t);
  for (const size of [100, 10000]) for (const m of METHODS) {
    t = Date.now();
    const s = await measureDowntime(m, size, templates.get(size)!, server);
    console.log(m, size, JSON.stringify(s), 'wall', Date.now() - t);
  }
} finally { await server.close(); await rm(dir, { recursive: true, force: true }); }
