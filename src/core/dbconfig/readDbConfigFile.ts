/**
 * Reads a dbconfig.xml from disk for the CLI and the extension: the size is checked before
 * the file is read whole (a huge or special file is refused, not loaded), then
 * readDbConfig() checks the content.
 */
import { open } from 'node:fs/promises';
import { AppError } from '../errors';
import { printable } from '../printable';
import { readDbConfig, type DbConfigFile } from './dbConfigFile';
import { MAX_XML_BYTES } from './strictXml';

export async function readDbConfigFile(file: string): Promise<DbConfigFile> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    throw new AppError('input', `Cannot read ${printable(file, 300)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, 'Give the path of the product\'s dbconfig.xml.');
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new AppError('input', `${printable(file, 300)} is not a regular file.`);
    if (info.size > MAX_XML_BYTES) throw new AppError('input', `This dbconfig.xml cannot be imported: the file is larger than ${MAX_XML_BYTES / 1024} KiB: not a configuration file.`);
    const bytes = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(bytes, 0, info.size, 0);
    return readDbConfig(bytes.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}
