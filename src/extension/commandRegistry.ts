/**
 * Registers every command of the table (commandTable.ts) at activation without loading any
 * handler: the first call of a command imports its module (one chunk per module) and waits
 * for the services (services.ts); later calls reuse both.
 */
import * as vscode from 'vscode';
import { COMMANDS, type CommandHandlers, type CommandModule } from './commandTable';
import type { ExtensionServices } from './services';

export interface HandlerModule {
  commandHandlers(s: ExtensionServices): CommandHandlers;
}

/** Where each module of the table is: every handler module is an import() (a chunk loaded on first use). */
export const HANDLER_MODULES: Record<CommandModule, () => Promise<HandlerModule>> = {
  instances: () => import('./commands/instances.js'),
  credentials: () => import('./commands/credentials.js'),
  dbConfigImport: () => import('./commands/dbConfigImport.js'),
  sql: () => import('./commands/sql.js'),
  unenroll: () => import('./commands/unenroll.js'),
  view: () => import('./commands/view.js'),
  bulk: () => import('./bulk/command.js'),
  cloud: () => import('./cloud/commands.js'),
  audit: () => import('./audit/commands.js'),
};

export function registerCommands(services: () => Promise<ExtensionServices>): vscode.Disposable[] {
  const loaded = new Map<CommandModule, Promise<CommandHandlers>>();
  const handlersOf = (module: CommandModule): Promise<CommandHandlers> => {
    let handlers = loaded.get(module);
    if (!handlers) {
      handlers = Promise.all([HANDLER_MODULES[module](), services()]).then(([m, s]) => m.commandHandlers(s));
      // A failed load is tried again on the next call rather than remembered.
      handlers.catch(() => loaded.delete(module));
      loaded.set(module, handlers);
    }
    return handlers;
  };
  return Object.values(COMMANDS).map((spec) =>
    vscode.commands.registerCommand(spec.id, async (...args: unknown[]) => {
      const handler = (await handlersOf(spec.module))[spec.id] as ((...a: unknown[]) => unknown) | undefined;
      if (!handler) throw new Error(`${spec.id} has no handler in module "${spec.module}" (src/extension/commandTable.ts)`);
      return handler(...args);
    }),
  );
}
