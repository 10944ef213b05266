import type { Stats } from 'node:fs';
import type { Artifact } from './artifacts.js';
import { replaceFile, signatureOf, writeDurably } from './backup.js';
import type { ApplyContext } from './context.js';

/** A verified binary written beside the installed one before the stop, so that the swap is one rename. */
export interface StagedBinary {
  readonly path: string;
  /** The staged file's identity when it was written; a file changed since is not used. */
  readonly signature: string;
}

/**
 * Writes the verified artifact beside the binary as `<binary>.headsup-staged`, with the installed
 * binary's mode and owner, and syncs it. Runs before the instance stops, so that the swap only
 * renames. A file of that name left by an interrupted run is overwritten.
 */
export async function stageBinary(context: ApplyContext, binaryPath: string, artifact: Artifact): Promise<StagedBinary> {
  const { fs } = context;
  const previous = await fs.stat(binaryPath);
  const path = `${binaryPath}.headsup-staged`;
  await replaceFile(fs, path, await fs.readFile(artifact.path), (previous.mode & 0o7777) | 0o100, previous.uid, previous.gid);
  return { path, signature: signatureOf(await fs.stat(path)) };
}

/** Removes a staged binary that was not installed; a missing file is fine. */
export async function discardStagedBinary(context: ApplyContext, binaryPath: string): Promise<void> {
  await context.fs.rm(`${binaryPath}.headsup-staged`, { force: true });
}

/**
 * Installs a verified artifact at `binaryPath` by atomic rename, with the old binary's mode and
 * owner, and keeps the old binary beside it as `<binary>.headsup-previous`. With a staged copy
 * that is unchanged since staging, the install is a hard link and a rename, so it takes almost no
 * time while Headscale is stopped. Without one, both files are written here. Records the new file's
 * SHA-256 and version, so that builds printing `dev` still have a known version.
 */
export async function installBinary(context: ApplyContext, binaryPath: string, artifact: Artifact, staged: StagedBinary | null = null): Promise<string> {
  const { fs } = context;
  const previous = await fs.stat(binaryPath);
  await keepPrevious(context, binaryPath, previous);

  if (staged && (await currentSignature(context, staged.path)) === staged.signature) {
    await fs.rename(staged.path, binaryPath);
  } else {
    const content = await fs.readFile(artifact.path);
    await replaceFile(fs, binaryPath, content, (previous.mode & 0o7777) | 0o100, previous.uid, previous.gid);
  }
  context.installs.record(artifact.sha256, artifact.version, binaryPath, context.clock.now());
  return `installed ${artifact.assetName} at ${binaryPath}; previous binary kept as ${binaryPath}.headsup-previous`;
}

/** Keeps the old binary as `<binary>.headsup-previous`: a hard link where the file system allows one, else a copy. */
async function keepPrevious(context: ApplyContext, binaryPath: string, previous: Stats): Promise<void> {
  const { fs } = context;
  const target = `${binaryPath}.headsup-previous`;
  const temporary = `${target}.headsup-tmp`;
  await fs.rm(temporary, { force: true });
  try {
    await fs.link(binaryPath, temporary);
  } catch {
    await writeDurably(fs, temporary, await fs.readFile(binaryPath), previous.mode & 0o7777);
  }
  await fs.rename(temporary, target);
}

async function currentSignature(context: ApplyContext, path: string): Promise<string | null> {
  try {
    return signatureOf(await context.fs.stat(path));
  } catch {
    return null;
  }
}
