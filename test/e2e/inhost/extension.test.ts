// Runs INSIDE the real VS Code extension host (code-server, or desktop VS Code via
// `npm run test:electron`): activation, contributed commands, setting scope, SecretStorage.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { SecretStore } from '../../../src/core/secrets';

const EXTENSION_ID = 'jira2fa.jira-2fa-admin';
const INSTANCES_SETTING = 'jira2fa.instances';

/** What activate() returns for tests (and other extensions). */
interface ExtensionApi {
  secrets: SecretStore;
  profiles?: unknown;
}

interface ContributedCommand {
  command: string;
  title?: string;
}

interface ConfigurationContribution {
  properties?: Record<string, { scope?: string; default?: unknown }>;
}

function extension(): vscode.Extension<ExtensionApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in the extension host`);
  return ext;
}

async function api(): Promise<ExtensionApi> {
  const ext = extension();
  const exports = ext.isActive ? ext.exports : await ext.activate();
  assert.ok(exports && typeof exports === 'object', 'activate() must return the extension API object');
  return exports;
}

describe('Jira 2FA Admin in a real extension host', function () {
  this.timeout(60000);

  it('activates', async () => {
    const ext = extension();
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
    console.log(`  extension ${ext.id} from ${ext.extensionPath} (remoteName=${vscode.env.remoteName ?? 'none'}, appHost=${vscode.env.appHost})`);
  });

  it('registers every command contributed in package.json', async () => {
    const ext = extension();
    await ext.activate();
    const contributed: ContributedCommand[] = ext.packageJSON?.contributes?.commands ?? [];
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    assert.ok(
      contributed.some((c) => c.command === 'jira2fa.addInstance'),
      'package.json must contribute jira2fa.addInstance',
    );
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepStrictEqual(missing, [], `contributed but not registered after activation: ${missing.join(', ')}`);
  });

  it(`contributes the ${INSTANCES_SETTING} setting with scope "application"`, async () => {
    const ext = extension();
    const configuration = ext.packageJSON?.contributes?.configuration as ConfigurationContribution | ConfigurationContribution[] | undefined;
    const sections = Array.isArray(configuration) ? configuration : configuration ? [configuration] : [];
    const declared = sections.map((s) => s.properties?.[INSTANCES_SETTING]).find(Boolean);
    assert.ok(declared, `package.json does not declare ${INSTANCES_SETTING}`);
    assert.strictEqual(declared.scope, 'application', `${INSTANCES_SETTING} must have scope "application" (a workspace must not be able to inject instances)`);

    // the editor knows the setting, and refuses to write it to the workspace
    const inspected = vscode.workspace.getConfiguration().inspect(INSTANCES_SETTING);
    assert.ok(inspected, `${INSTANCES_SETTING} is not registered with the editor`);
    assert.strictEqual(inspected.key, INSTANCES_SETTING);
    assert.notStrictEqual(inspected.defaultValue, undefined, `${INSTANCES_SETTING} has no default value in the editor`);
    assert.strictEqual(inspected.workspaceValue, undefined);
    assert.ok(vscode.workspace.workspaceFolders?.length, 'the suite expects a folder to be open');
    await assert.rejects(
      Promise.resolve(vscode.workspace.getConfiguration().update(INSTANCES_SETTING, [], vscode.ConfigurationTarget.Workspace)),
      'writing an application-scoped setting to the workspace must fail',
    );
    assert.strictEqual(vscode.workspace.getConfiguration().inspect(INSTANCES_SETTING)?.workspaceValue, undefined);
  });

  it('round-trips a secret through the exported SecretStore (VS Code SecretStorage)', async () => {
    const { secrets } = await api();
    assert.ok(secrets, 'activate() must return { secrets: SecretStore }');
    const instanceId = `e2e-roundtrip-${Date.now()}`;
    const value = `s3cr3t-${Math.random().toString(36).slice(2)}`;
    assert.strictEqual(await secrets.get(instanceId, 'token'), undefined);
    await secrets.set(instanceId, 'token', value);
    try {
      assert.strictEqual(await secrets.get(instanceId, 'token'), value);
      assert.strictEqual(await secrets.get(instanceId, 'password'), undefined, 'another kind must not see the secret');
      assert.strictEqual(await secrets.get(`${instanceId}-other`, 'token'), undefined, 'another instance must not see the secret');
      // a secret never lands in settings
      const settings = JSON.stringify(vscode.workspace.getConfiguration().inspect(INSTANCES_SETTING) ?? {});
      assert.ok(!settings.includes(value), 'the secret leaked into settings');
    } finally {
      await secrets.delete(instanceId, 'token');
    }
    assert.strictEqual(await secrets.get(instanceId, 'token'), undefined, 'delete() must remove the secret');
  });
});
