/**
 * "Import Database from dbconfig.xml…" on an instance: fills its database section from the
 * product's dbconfig.xml (or confluence.cfg.xml), after a modal that lists every field that
 * changes. The password in the file is never read into the profile: the user is offered the
 * keychain input box for it instead.
 */
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { checkProfile } from '../../core/profiles/schema';
import { printable } from '../../core/printable';
import { resolveInstance, type InstanceArg } from '../instancePicker';
import { isDataCenter } from '../instanceCandidates';
import { Command, type CommandHandlers } from '../commandTable';
import type { ExtensionServices } from '../services';

export function commandHandlers(s: ExtensionServices): CommandHandlers {
  return {
    [Command.importDbConfig]: async (arg: InstanceArg, file?: vscode.Uri) => {
      const profile = await resolveInstance(s.profiles, arg, 'Import the database of which instance?', isDataCenter);
      if (!profile) return;
      if (profile.product === 'cloud') return void vscode.window.showErrorMessage(`"${profile.name}" is a Cloud organization: it has no database.`);
      const source =
        file ??
        (await vscode.window.showOpenDialog({
          title: `${profile.name}: the product's dbconfig.xml`,
          filters: { 'dbconfig.xml / confluence.cfg.xml': ['xml'] },
          openLabel: 'Preview Import',
          canSelectMany: false,
        }))?.[0];
      if (!source) return;
      let imported;
      try {
        // The dbconfig.xml reader loads on first use, like every other feature (docs/architecture.md).
        const [{ databaseFromDbConfig }, { readDbConfigFile }] = await Promise.all([import('../../core/dbconfig/dbConfigFile.js'), import('../../core/dbconfig/readDbConfigFile.js')]);
        imported = databaseFromDbConfig(await readDbConfigFile(source.fsPath), profile.database);
      } catch (e) {
        s.log.warn(`dbconfig.xml import for ${profile.id} refused: ${describeError(e)}`);
        return void vscode.window.showErrorMessage(describeError(e), { modal: true });
      }
      const check = checkProfile({ ...profile, database: imported.database });
      if (!check.ok) return void vscode.window.showErrorMessage(`The imported database section is not valid: ${check.errors.map((e) => e.message).join('; ')}`, { modal: true });
      const lines = [
        ...imported.changes.map((c) => `${c.field}: ${printable(c.from ?? '(unset)', 200)} → ${printable(c.to ?? '(unset)', 200)}`),
        ...imported.notes.map((n) => `Note: ${printable(n, 400)}`),
        'You are asked for the database password next: it goes to the OS keychain.',
      ];
      for (const line of lines) s.log.info(`dbconfig.xml import preview for ${profile.id}: ${line}`);
      if (!imported.changes.length) {
        return void vscode.window.showInformationMessage(`The database section of "${profile.name}" already matches this file.`, { modal: true, detail: lines.join('\n') });
      }
      const n = imported.changes.length;
      const answer = await vscode.window.showWarningMessage(`Change ${n} database setting${n > 1 ? 's' : ''} of "${profile.name}"?`, { modal: true, detail: lines.join('\n') }, 'Import');
      if (answer !== 'Import') return;
      await s.profiles.upsert(check.profile, profile.id);
      s.statuses.clear(profile.id);
      s.log.info(`Imported the database section of ${profile.id} from ${source.fsPath}`);
      const next = await vscode.window.showInformationMessage(`Imported the database settings of "${profile.name}". Store the database password in the keychain now?`, 'Set Database Password…');
      if (next) await vscode.commands.executeCommand(Command.setCredentials, profile.id, 'dbPassword');
    },
  };
}
