/**
 * This computer's id in the team audit store and in syslog: a random id made once and kept in
 * the state folder, so that a writer (admin + computer) is the same across runs, and the CLI
 * and the extension of one computer are one writer per admin. Not derived from the host name
 * or hardware: it says nothing about the machine, and a copied state folder is detected as a
 * fork by the store (two different entries for one writer's sequence number).
 */
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from '../../lazyCrypto';
import { stateDir } from '../../platformPaths';
import { errnoCode } from '../lock';

type Env = Record<string, string | undefined>;

export const COMPUTER_ID_FILE_NAME = 'computer-id';
const ID = /^[0-9a-f]{16}$/;

/** $JIRA2FA_COMPUTER_ID_FILE, else <state dir>/computer-id. */
export function computerIdPath(env: Env = process.env): string {
  return env.JIRA2FA_COMPUTER_ID_FILE || path.join(stateDir(env), COMPUTER_ID_FILE_NAME);
}

/**
 * The id in `file`, made (16 random hex digits, file mode 0600) when the file does not exist.
 * Two processes making it at once agree: the file is created exclusively and the loser reads
 * the winner's id. A file that holds something else is an error, never silently replaced
 * (that would start a new writer and hide the old one's history).
 */
export async function computerId(file: string): Promise<string> {
  const read = async (): Promise<string | undefined> => {
    try {
      const text = (await fsp.readFile(file, 'utf8')).trim();
      if (!ID.test(text)) throw new Error(`${file} does not hold a computer id (16 hex digits); move it away to make a new one`);
      return text;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  };
  const known = await read();
  if (known) return known;
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const id = randomBytes(8).toString('hex');
  try {
    await fsp.writeFile(file, `${id}\n`, { flag: 'wx', mode: 0o600 });
    return id;
  } catch (e) {
    if (errnoCode(e) !== 'EEXIST') throw e;
    const other = await read();
    if (!other) throw new Error(`${file} vanished while it was being made`);
    return other;
  }
}
