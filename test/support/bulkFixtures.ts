/**
 * Many users for the bulk tests: app_user rows and (for enrolled ones) enrollment rows with
 * distinct secrets, recovery codes and microsecond timestamps, so that a restore that lost or
 * mixed up anything would not compare equal.
 */
import type { TestDatabase } from './dbFixtures';
import { ENROLLMENT } from './dbFixtures';

export interface BulkUsers {
  names: string[];
  enrolled: string[];
}

/** bulk0001..bulkNNNN; every user enrolled unless `notEnrolledEvery` says otherwise. */
export async function addBulkUsers(tdb: TestDatabase, count: number, opts: { notEnrolledEvery?: number; prefix?: string } = {}): Promise<BulkUsers> {
  const prefix = opts.prefix ?? 'bulk';
  const d = await tdb.connect();
  const names: string[] = [];
  const enrolled: string[] = [];
  try {
    const q = d.facts.quoteIdent;
    const enr = q(tdb.table(ENROLLMENT));
    const cols = ['USER_KEY', 'SECRET', 'RECOVERY_CODE', 'CREATED_AT', 'MODIFIED_AT'].map(q).join(', ');
    await d.transaction(async (tx) => {
      for (let i = 1; i <= count; i++) {
        const name = `${prefix}${String(i).padStart(4, '0')}`;
        const key = `JIRAUSER${50000 + i}`;
        names.push(name);
        await tx.query('INSERT INTO app_user (id, user_key, lower_user_name) VALUES (:id, :key, :lower)', { id: 50000 + i, key, lower: name });
        if (opts.notEnrolledEvery && i % opts.notEnrolledEvery === 0) continue;
        enrolled.push(name);
        const us = String((i * 7919) % 1_000_000).padStart(6, '0');
        await tx.query(`INSERT INTO ${enr} (${cols}) VALUES (:k, :s, :r, :c, :m)`, {
          k: key,
          s: `SECRET-${key}-${(i * 104729).toString(36).toUpperCase()}`,
          r: `RC-${key}-${i}`,
          c: `2024-0${(i % 9) + 1}-1${i % 10} 0${i % 10}:${String(i % 60).padStart(2, '0')}:2${i % 10}.${us}`,
          m: `2025-1${i % 3}-2${i % 8} 1${i % 10}:3${i % 6}:${String((i * 7) % 60).padStart(2, '0')}.${us.split('').reverse().join('')}`,
        });
      }
    });
  } finally {
    await d.close();
  }
  return { names, enrolled };
}
