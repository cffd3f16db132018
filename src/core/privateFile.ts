/**
 * Exports of query results can hold users' recovery codes: they are written readable by
 * their owner only, and offered by default outside the workspace (a workspace is often a
 * Git repository, synced or shared, and indexed by other extensions).
 */
import { randomBytes } from './lazyCrypto';
import fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Where an export is offered first: the user's Downloads folder when there is one (where a
 * person looks for a file they just saved, outside any project), else the home folder.
 */
export function defaultExportFolder(home: string = os.homedir()): string {
  const downloads = path.join(home, 'Downloads');
  try {
    if (fs.statSync(downloads).isDirectory()) return downloads;
  } catch {
    // no Downloads folder
  }
  return home;
}

/**
 * Writes `content` to `file` with mode 0600 (owner read/write), also when the file existed
 * with wider permissions: a new file is written beside it and renamed over it.
 */
export async function writePrivateFile(file: string, content: string | Buffer): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fsp.writeFile(tmp, content, { mode: 0o600, flag: 'wx' });
    await fsp.chmod(tmp, 0o600); // the umask cannot widen it, but a file system may ignore mode on create
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.unlink(tmp).catch(() => undefined);
    throw e;
  }
}
