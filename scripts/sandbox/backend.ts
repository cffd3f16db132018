/**
 * The sandbox's back end, run by scripts/sandbox.mjs through tsx: the database (embedded
 * PGlite served over the PostgreSQL wire protocol, or a PostgreSQL/MySQL server given by URL)
 * with the Jira tables and the sandbox users, and the Jira simulator on 127.0.0.1 reading and
 * writing its enrollments in that same database.
 *
 *   backend.ts --data <dir> [--keep] [--postgres URL | --mysql URL]
 *
 * Prints one line `SANDBOX_READY <json>` for the parent (URL, database, credentials), then runs
 * until SIGINT/SIGTERM or until its standard input closes (the parent is gone), and closes
 * everything it opened before exiting.
 */
import path from 'node:path';
import { connectDatabase, type DatabaseConfig } from '../../src/core/db/connect';
import type { Driver } from '../../src/core/db/types';
import { JiraSimulator } from '../../test/support/jiraSimulator';
import { servePgliteDatabase, type ServedPglite } from '../../test/support/sandboxDatabase';
import { ENROLLMENT_TABLE, seedJiraUsers, SqlSimulatorStore, sqlStoreOptions } from '../../test/support/sqlSimulatorStore';
import { sandboxFixtures } from './fixtures';
import { configFromUrl, prepareServerDatabase } from './serverDatabase';

interface Args {
  data: string;
  keep: boolean;
  server?: { engine: 'postgres' | 'mysql'; url: string };
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const data = value('--data');
  if (!data) throw new Error('--data <dir> is required');
  const pg = value('--postgres');
  const my = value('--mysql');
  return { data: path.resolve(data), keep: argv.includes('--keep'), ...(pg ? { server: { engine: 'postgres', url: pg } } : my ? { server: { engine: 'mysql', url: my } } : {}) };
}

async function readAdminSeed(db: Driver): Promise<string | undefined> {
  const q = db.facts.quoteIdent;
  const r = await db.query(`SELECT e.${q('SECRET')} FROM ${q(ENROLLMENT_TABLE)} e JOIN app_user au ON au.user_key = e.${q('USER_KEY')} WHERE au.lower_user_name = 'admin'`);
  return r.rows[0]?.[0] === undefined ? undefined : String(r.rows[0][0]);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const closers: Array<() => Promise<void>> = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const close of closers.reverse()) await close().catch(() => undefined);
    process.exit(code);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void stop(0));
  process.stdin.on('end', () => void stop(0));
  process.stdin.resume();

  try {
    let config: DatabaseConfig;
    let password: string | undefined;
    let reused: boolean;
    let served: ServedPglite | undefined;
    if (args.server) {
      ({ config, password } = configFromUrl(args.server.engine, args.server.url));
      const setup = await connectDatabase(config, password);
      try {
        reused = await prepareServerDatabase(setup, args.server.engine, args.keep);
      } finally {
        await setup.close();
      }
    } else {
      served = await servePgliteDatabase(path.join(args.data, 'pglite'));
      closers.push(() => served!.close());
      config = served.config;
      reused = served.reused;
    }

    // The simulator's own session, through the same server the editor uses.
    const simDb = await connectDatabase(config, password, { applicationName: 'jira2fa-sandbox-simulator' });
    closers.push(() => simDb.close());
    let sandbox = sandboxFixtures();
    if (reused) {
      // --keep: the users are there already; keep the admin's seed so the authenticator still works.
      const seed = await readAdminSeed(simDb);
      if (seed) sandbox = sandboxFixtures(seed);
    } else {
      await seedJiraUsers(simDb, sandbox.fixtures, { recoveryCodes: sandbox.recoveryCodes });
    }
    const sim = await JiraSimulator.start({ store: new SqlSimulatorStore(simDb, sqlStoreOptions(sandbox.fixtures)), version: '10.3.2', groups: sandbox.groups });
    closers.push(() => sim.stop());

    const ready = {
      jiraUrl: sim.baseUrl,
      database: config,
      ...(password ? { dbPassword: password } : {}),
      adminSeed: sandbox.adminSeed,
      token: sandbox.token,
      people: sandbox.people,
      reused,
    };
    process.stdout.write(`SANDBOX_READY ${JSON.stringify(ready)}\n`);
  } catch (e) {
    process.stderr.write(`SANDBOX_FAILED ${(e as Error).message}\n`);
    await stop(1);
  }
}

void main();
