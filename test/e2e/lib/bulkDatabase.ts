/**
 * A fresh PostgreSQL database for the bulk e2e spec, run as a child process through tsx:
 *   tsx test/e2e/lib/bulkDatabase.ts <name> <users>
 * Creates the database with the fixture tables and <users> enrolled users (bulk0001…),
 * prints one JSON line {"ready":true}, then answers lines on stdin:
 *   "count" → {"enrolled": <rows in the enrollment table>}
 *   "drop"  → drops the database and exits.
 * The database is dropped too when stdin closes (the spec died).
 */
import readline from 'node:readline';
import { addBulkUsers } from '../../support/bulkFixtures';
import { createTestDatabase, ENROLLMENT } from '../../support/dbFixtures';

async function main(): Promise<void> {
  const [name, users] = process.argv.slice(2);
  const tdb = await createTestDatabase('postgres', { pgDatabase: true, name });
  await addBulkUsers(tdb, Number(users));
  const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  say({ ready: true });
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await tdb.drop();
  };
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (line === 'count') {
      const d = await tdb.connect();
      try {
        const r = await d.query(`SELECT COUNT(*) FROM ${d.facts.quoteIdent(ENROLLMENT)}`);
        say({ enrolled: Number(r.rows[0][0]) });
      } finally {
        await d.close();
      }
    } else if (line === 'drop') {
      await drop();
      say({ dropped: true });
      break;
    }
  }
  await drop();
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
