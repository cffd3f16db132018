import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { instancesItemSchema } from '../../scripts/settingsSchema';

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

  it('gives every command in a menu a declaration, and every declared command a handler name', () => {
    const declared = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
    for (const items of Object.values(pkg.contributes.menus) as Array<Array<{ command: string }>>) {
      for (const item of items) assert.ok(declared.has(item.command), `${item.command} is in a menu but not declared`);
    }
    const sources = fs.readdirSync(path.join(__dirname, '../../src/extension'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => fs.readFileSync(path.join(__dirname, '../../src/extension', f), 'utf8'))
      .join('\n');
    for (const id of declared) assert.ok(sources.includes(`'${id}'`), `${id} is declared but never registered`);
  });
});
