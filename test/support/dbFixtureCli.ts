/**
 * The fixture database from outside mocha (the e2e spec runs it through tsx):
 *   tsx test/support/dbFixtureCli.ts create NAME   a fresh PostgreSQL database with the Jira tables and users
 *   tsx test/support/dbFixtureCli.ts drop NAME
 */
import { createTestDatabase, dropPgDatabase } from './dbFixtures';

async function mainCli(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  if (!name) throw new Error('usage: dbFixtureCli.ts create|drop NAME');
  if (command === 'create') await createTestDatabase('postgres', { pgDatabase: true, name });
  else if (command === 'drop') await dropPgDatabase(name);
  else throw new Error(`unknown command ${command}`);
}

mainCli().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
