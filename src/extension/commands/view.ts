/** The view's own commands: Refresh and Show Log (loaded on first use: commandTable.ts). */
import { Command, type CommandHandlers } from '../commandTable';
import type { ExtensionServices } from '../services';

export function commandHandlers(s: ExtensionServices): CommandHandlers {
  return {
    [Command.refresh]: () => s.tree.refresh(),
    [Command.showLog]: () => s.log.show(),
  };
}
