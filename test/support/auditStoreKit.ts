/**
 * Helpers for the team audit store tests: a fresh store database per engine (dbFixtures.ts
 * names), local logs with entries, and the row checks "nothing lost, nothing duplicated".
 */
import * as fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AuditLog } from '../../src/core/audit/log';
import { readEntries } from '../../src/core/audit/read';
import type { AuditEntryInput } from '../../src/core/audit/types';
import type { StoreConfig } from '../../src/core/audit/store/config';
import { createTestDatabase, type TestDatabase } from './dbFixtures';

export type StoreEngine = 'postgres' | 'mysql';

export interface TestStore {
  db: TestDatabase;
  cfg: StoreConfig;
  password: string | undefined;
}

export async function createTestStore(engine: StoreEngine): Promise<TestStore> {
  const db = await createTestDatabase(engine, { pgDatabase: engine === 'postgres' });
  const d = db.profile(false).database as { host: string; port: number; database: string; user: string };
  return { db, cfg: { driver: engine, host: d.host, port: d.port, database: d.database, user: d.user, ssl: false }, password: engine === 'mysql' ? '' : undefined };
}

export async function tempDir(prefix = 'j2fa-store-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

export function input(i: number, admin = 'alice', extra: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    admin,
    instance: { id: 'prod-jira', name: 'Production Jira', baseUrl: 'https://jira.example.com' },
    action: 'unenroll',
    target: `user${i}`,
    outcome: 'ok',
    status: 204,
    message: `Reset two-step verification of user${i}`,
    details: { ticket: `OPS-${1000 + i}` },
    ...extra,
  };
}

/** Appends `n` entries (numbered from `from`) to the log in `file`. */
export async function appendEntries(file: string, n: number, from = 0, admin = 'alice'): Promise<void> {
  const log = new AuditLog(file);
  const inputs: AuditEntryInput[] = [];
  for (let i = 0; i < n; i++) inputs.push(input(from + i, admin));
  await log.appendMany(inputs);
}

export async function localIds(file: string): Promise<string[]> {
  return (await readEntries(file)).entries.map((e) => e.id);
}
