import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
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
    const registered = registeredCommandIds(path.join(__dirname, '../../src/extension'));
    for (const id of declared) assert.ok(registered.has(id as string), `${id} is declared but no registerCommand() call registers it`);
    for (const id of registered) assert.ok(declared.has(id), `${id} is registered but not declared in package.json`);
  });
});

/** The ids of every `….registerCommand('<id>', …)` call in the TypeScript files under dir (read from the syntax tree, not the text). */
function registeredCommandIds(dir: string): Set<string> {
  const ids = new Set<string>();
  for (const f of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) => n.endsWith('.ts'))) {
    const file = path.join(dir, f);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'registerCommand') {
        const first = node.arguments[0];
        if (first && ts.isStringLiteralLike(first)) ids.add(first.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true));
  }
  return ids;
}
