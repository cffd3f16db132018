/**
 * `jira2fa backups list` and `jira2fa backups restore`: the rows destructive snippets backed up
 * (in $JIRA2FA_BACKUP_DIR, else <state dir>/backups; the extension uses the same folder), put
 * back in one transaction, or not at all when a row exists already.
 */
import type { Command } from 'commander';
import { runRestore } from '../../core/actions/restore';
import { addRequestOptions, commentReporter, requestFrom, type RequestOptions } from '../requestOptions';

import type { CliContext } from '../context';
import { cell, formatTable } from '../format';
import { backupStore, databaseDeps, databaseProfile } from './sql';

export function register(program: Command, ctx: CliContext): void {
  const backups = program.command('backups').description('backups of rows changed by destructive snippets');

  backups
    .command('list')
    .description('list backups, newest first')
    .option('--instance <id>', 'only this instance\'s backups')
    .action(async (opts: { instance?: string }) => {
      const store = backupStore(ctx);
      const { backups: list, problems } = await store.list(opts.instance ? { instanceId: opts.instance } : {});
      for (const p of problems) ctx.warn(`${p.file}: ${p.message}`);
      ctx.result({ ok: true, dir: store.dir, backups: list, problems }, () => {
        if (!list.length) return ctx.out(`No backups in ${store.dir}.`);
        ctx.out(
          formatTable(
            ['ID', 'TIME', 'INSTANCE', 'SNIPPET', 'ROWS', 'STATE', 'RESTORED', 'PARAMETERS'],
            list.map((b) => [
              b.id,
              b.createdAt,
              b.instanceId,
              b.snippet,
              String(b.rowCount),
              b.state,
              b.restoredAt ?? '',
              cell(Object.entries(b.params).map(([k, v]) => `${k}=${v}`).join(' '), 60),
            ]),
          ),
        );
      });
    });

  addRequestOptions(backups
    .command('restore'))
    .description('put a backup\'s rows back into the table they came from (all or nothing)')
    .argument('<backup-id>', 'id from "jira2fa backups list"')
    .action(async (id: string, opts: RequestOptions) => {
      const store = backupStore(ctx);
      const backup = await store.load(id);
      const profile = await databaseProfile(ctx, backup.instance.id);
      const comment = commentReporter(ctx);
      const request = requestFrom(opts);
      const r = await runRestore(databaseDeps(ctx), { profile, backupId: id, ...(request ? { request } : {}), onComment: comment.onComment });
      if (r.auditError) ctx.warn(r.auditError);
      ctx.result({ ok: true, backupId: r.backupId, table: r.table, rowsRestored: r.rowsRestored, message: r.message, auditId: r.auditEntryId ?? null, request: request ?? null, comment: comment.json() }, () => {
        ctx.out(`✓ ${r.message}`);
        if (r.auditEntryId) ctx.out(`  audit entry ${r.auditEntryId}`);
      });
    });
}
