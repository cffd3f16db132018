/**
 * Recovery-code lookup ×1,000 on real PostgreSQL: ours (runReadSnippet with the built-in
 * jira.recovery-code snippet on one open session: parameter checks, table-spelling lookup,
 * read-only transaction, bound parameter, audit entry) against raw `pg` with the same SQL on
 * one connection, and against one psql process per lookup (the manual route; fewer runs,
 * reported per lookup). Ours is measured twice: with the real hash-chained, fsynced audit
 * file the product writes, and with audit kept in memory, to show where the time goes.
 */
import { Client } from 'pg';
import { renderSnippet } from '../src/core/snippets/render';
import { builtinSnippet } from '../src/core/snippets/catalogue';
import { runReadSnippet } from '../src/core/recovery/runSnippet';
import { MemoryAudit, PG } from '../test/support/dbFixtures';
import { createPgBench, lit } from './lib/pgBench';
// @ts-expect-error plain ESM helper without types
import { emit, median, now } from './lib/stats.mjs';

const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 1000);
const PSQL_LOOKUPS = Number(process.env.BENCH_PSQL_LOOKUPS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function main(): Promise<void> {
  const b = await createPgBench(LOOKUPS);
  const snippet = await builtinSnippet('jira.recovery-code');
  const sql = renderSnippet(snippet, 'postgres').statement;
  const rawSql = sql.replace(/:username\b/g, '$1');
  const raw = new Client({ ...PG });
  await raw.connect();
  await raw.query("SELECT set_config('search_path', $1, false)", [`"${b.schema}", public`]);
  const ctx = b.ctx(true);
  const memCtx = { ...ctx, audit: new MemoryAudit() };
  const expectCode = (got: unknown, i: number) => {
    if (got !== b.rows[i].RECOVERY_CODE) throw new Error(`lookup ${i}: got ${String(got)}`);
  };
  const ours = async (c: typeof ctx) => {
    const t = now();
    for (let i = 0; i < LOOKUPS; i++) expectCode((await runReadSnippet(c, snippet, { username: b.users[i] })).rows[0]?.[0], i);
    return now() - t;
  };
  const bare = async () => {
    const t = now();
    for (let i = 0; i < LOOKUPS; i++) expectCode((await raw.query(rawSql, [b.users[i]])).rows[0]?.recovery_code, i);
    return now() - t;
  };
  const results = { ours: [] as number[], oursMemoryAudit: [] as number[], pg: [] as number[], psql: [] as number[] };
  try {
    await ours(memCtx); // warm-up
    await bare();
    for (let r = 0; r < ROUNDS; r++) {
      results.ours.push(await ours(ctx));
      results.oursMemoryAudit.push(await ours(memCtx));
      results.pg.push(await bare());
    }
    for (let r = 0; r < Math.min(ROUNDS, 3); r++) {
      const t = now();
      for (let i = 0; i < PSQL_LOOKUPS; i++) {
        const out = await b.psql(sql.replace(/:username\b/g, lit(b.users[i])));
        if (!out.startsWith(b.rows[i].RECOVERY_CODE)) throw new Error(`psql lookup ${i}: ${out}`);
      }
      results.psql.push(now() - t);
    }
  } finally {
    await raw.end();
    await b.cleanup();
  }
  emit({
    lookups: LOOKUPS,
    psqlLookups: PSQL_LOOKUPS,
    rounds: ROUNDS,
    oursMs: median(results.ours),
    oursMemoryAuditMs: median(results.oursMemoryAudit),
    pgMs: median(results.pg),
    psqlMs: median(results.psql),
    runs: results,
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
