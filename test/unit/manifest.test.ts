import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { instancesItemSchema } from '../../scripts/settingsSchema';
import { COMMANDS, contributedCommands, hiddenFromPalette, type CommandModule } from '../../src/extension/commandTable';
import type * as Registry from '../../src/extension/commandRegistry';
import type * as Extension from '../../src/extension/extension';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));

describe('extension manifest', () => {
  it('has the settings JSON schema generated from the profile schema (run: npx tsx scripts/settingsSchema.ts --write)', () => {
    assert.deepEqual(pkg.contributes.configuration.properties['jira2fa.instances'].items, instancesItemSchema());
  });

  it('keeps instances in application scope so a workspace cannot add or redirect one', () => {
    assert.equal(pkg.contributes.configuration.properties['jira2fa.instances'].scope, 'application');
  });

  it('declares limited support for untrusted workspaces and none for virtual ones', () => {
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(pkg.capabilities.virtualWorkspaces, false);
  });

  it('declares exactly the commands of the table (run: npx tsx scripts/commandsManifest.ts --write)', () => {
    assert.deepEqual(pkg.contributes.commands, contributedCommands());
    const hidden = (pkg.contributes.menus.commandPalette as Array<{ command: string }>).filter((m) => Object.values(COMMANDS).some((c) => c.id === m.command));
    assert.deepEqual(hidden, hiddenFromPalette());
  });

  it('puts only declared commands in menus', () => {
    const declared = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
    for (const items of Object.values(pkg.contributes.menus) as Array<Array<{ command: string }>>) {
      for (const item of items) assert.ok(declared.has(item.command), `${item.command} is in a menu but not declared`);
    }
  });

  describe('activated with the vscode stand-in', () => {
    const load = createRequire(__filename);
    const standIn = load('../support/vscodeStandIn.cjs') as {
      installStandIn(settings: unknown[]): void;
      fakeContext(root: string): { subscriptions: Array<{ dispose(): unknown }> };
      registeredCommands: Map<string, (...args: unknown[]) => unknown>;
    };
    const saved = process.env.XDG_STATE_HOME;
    let tmp: string;
    let context: ReturnType<typeof standIn.fakeContext>;
    let registry: typeof Registry;
    let api: Extension.ExtensionApi;
    before(async function () {
      this.timeout(30_000);
      // Whatever the services read at start lands in a temporary state folder, not the user's.
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'j2fa-manifest-'));
      process.env.XDG_STATE_HOME = tmp;
      standIn.installStandIn([{ id: 'prod', name: 'Jira', product: 'jira', baseUrl: 'https://jira.example.com', environment: 'production' }]);
      standIn.registeredCommands.clear();
      // Required after the stand-in is installed: these import `vscode`.
      const extension = load('../../src/extension/extension') as typeof Extension;
      registry = load('../../src/extension/commandRegistry') as typeof Registry;
      context = standIn.fakeContext(path.join(__dirname, '../..'));
      api = extension.activate(context as never);
      await api.services();
    });
    after(() => {
      for (const d of context.subscriptions) d.dispose();
      if (saved === undefined) delete process.env.XDG_STATE_HOME;
      else process.env.XDG_STATE_HOME = saved;
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('registers every declared command, and only those', () => {
      const registered = [...standIn.registeredCommands.keys()].sort();
      const declared = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
      const table = Object.values(COMMANDS).map((c) => c.id).sort();
      assert.deepEqual(registered, declared, 'registerCommand() calls of activate() vs package.json contributes.commands');
      assert.deepEqual(registered, table, 'registerCommand() calls of activate() vs src/extension/commandTable.ts');
    });

    it('finds each command\'s handler in the module the table names, and no handler elsewhere', async () => {
      for (const module of Object.keys(registry.HANDLER_MODULES) as CommandModule[]) {
        const handlers = (await registry.HANDLER_MODULES[module]()).commandHandlers({} as never);
        const expected = Object.values(COMMANDS).filter((c) => c.module === module).map((c) => c.id).sort();
        assert.deepEqual(Object.keys(handlers).sort(), expected, `handlers of module "${module}"`);
        for (const id of expected) assert.equal(typeof handlers[id], 'function', id);
      }
    });

    it('runs a handler through the registered command (Refresh redraws the tree)', async () => {
      let redraws = 0;
      api.tree.onDidChangeTreeData(() => void redraws++);
      await standIn.registeredCommands.get(COMMANDS.refresh.id)?.();
      assert.equal(redraws, 1);
    });
  });
});
