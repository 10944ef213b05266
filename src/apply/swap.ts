import type { Artifact } from './artifacts.js';
import { replaceFile } from './backup.js';
import type { ApplyContext } from './context.js';

/**
 * Installs a verified artifact at `binaryPath` by atomic rename, with the old binary's mode and
 * owner, and keeps the old binary beside it as `<binary>.headsup-previous`. Records the new file's
 * SHA-256 and version, so that builds printing `dev` still have a known version.
 */
export async function installBinary(context: ApplyContext, binaryPath: string, artifact: Artifact): Promise<string> {
  const { fs } = context;
  const previous = await fs.stat(binaryPath);
  const oldContent = await fs.readFile(binaryPath);
  await replaceFile(fs, `${binaryPath}.headsup-previous`, oldContent, previous.mode & 0o7777, previous.uid, previous.gid);

  const content = await fs.readFile(artifact.path);
  await replaceFile(fs, binaryPath, content, (previous.mode & 0o7777) | 0o100, previous.uid, previous.gid);
  context.installs.record(artifact.sha256, artifact.version, binaryPath, context.clock.now());
  return `installed ${artifact.assetName} at ${binaryPath}; previous binary kept as ${binaryPath}.headsup-previous`;
}
