import * as fsp from 'node:fs/promises';

/**
 * The file-system calls headsup makes, so that a test can pass a file system that fails on
 * purpose. The default is Node's `fs/promises`.
 */
export type FileSystem = Pick<
  typeof fsp,
  | 'readFile'
  | 'writeFile'
  | 'mkdir'
  | 'rename'
  | 'rm'
  | 'stat'
  | 'lstat'
  | 'copyFile'
  | 'chmod'
  | 'open'
  | 'readdir'
  | 'access'
  | 'mkdtemp'
  | 'unlink'
  | 'link'
>;

export const nodeFileSystem: FileSystem = fsp;
