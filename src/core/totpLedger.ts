/**
 * The TOTP windows already used, per instance, shared by every process of this user on this
 * machine (the editor and each CLI run), so that two `jira2fa unenroll` runs in one 30-second
 * window do not both send the admin's code of that window: the server refuses the second as a
 * replay, which reads like "invalid code". The ReplayGuard asks the ledger before it hands out
 * a code; a window another process used makes it wait for the next one.
 *
 * The file holds window numbers and times only, never a code or anything derived from one.
 * It is a help, not a guarantee: when it cannot be read or written the guard goes on with its
 * in-process memory and the server's own replay check.
 */
import { randomBytes } from './lazyCrypto';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { withFileLock } from './audit/lock';
import { stateDir } from './platformPaths';

export interface StepClaim {
  /** The window is now this process's to use. */
  claimed: boolean;
  /** The last window used for the instance (the claimed one when claimed). */
  lastStep: number;
}

export interface StepLedger {
  /** Claims window `step` for the instance unless it, or a later one, was already used. */
  claim(instanceId: string, step: number): Promise<StepClaim>;
}

export const TOTP_LEDGER_FILE_NAME = 'totp-windows.json';

/** $JIRA2FA_TOTP_LEDGER_FILE, else <state dir>/totp-windows.json (next to the audit log). */
export function totpLedgerPath(env: Record<string, string | undefined> = process.env): string {
  return env.JIRA2FA_TOTP_LEDGER_FILE || path.join(stateDir(env), TOTP_LEDGER_FILE_NAME);
}

interface LedgerData {
  version: 1;
  instances: Record<string, { lastStep: number; at: string }>;
}

/** Entries older than this cannot matter any more (a code is valid for about three windows). */
const KEEP_MS = 10 * 60 * 1000;

export class FileStepLedger implements StepLedger {
  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(instanceId: string, step: number): Promise<StepClaim> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    // A short wait at most: the critical section is one small read and one small write.
    return withFileLock(`${this.file}.lock`, async () => {
      const data = await this.read();
      const last = data.instances[instanceId]?.lastStep;
      if (last !== undefined && last >= step) return { claimed: false, lastStep: last };
      const now = this.now();
      for (const [id, e] of Object.entries(data.instances)) if (now - Date.parse(e.at) > KEEP_MS) delete data.instances[id];
      data.instances[instanceId] = { lastStep: step, at: new Date(now).toISOString() };
      await this.write(data);
      return { claimed: true, lastStep: step };
    }, { timeoutMs: 5000 });
  }

  /** A missing or damaged file is an empty ledger (it is rewritten by the next claim). */
  private async read(): Promise<LedgerData> {
    const empty: LedgerData = { version: 1, instances: Object.create(null) };
    let raw: unknown;
    try {
      raw = JSON.parse(await fsp.readFile(this.file, 'utf8'));
    } catch {
      return empty;
    }
    const instances = (raw as Partial<LedgerData> | null)?.instances;
    if (typeof instances !== 'object' || instances === null) return empty;
    for (const [id, e] of Object.entries(instances)) {
      if (Number.isSafeInteger(e?.lastStep) && typeof e?.at === 'string' && !Number.isNaN(Date.parse(e.at))) empty.instances[id] = { lastStep: e.lastStep, at: e.at };
    }
    return empty;
  }

  private async write(data: LedgerData): Promise<void> {
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fsp.writeFile(tmp, `${JSON.stringify(data)}\n`, { encoding: 'utf8', mode: 0o600 });
      await fsp.rename(tmp, this.file);
    } catch (e) {
      await fsp.unlink(tmp).catch(() => undefined);
      throw e;
    }
  }
}
