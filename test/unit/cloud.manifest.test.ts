import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_REMINDER_HOURS, REMINDER_SETTING } from '../../src/extension/cloud/age';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));

describe('extension manifest: Cloud', () => {
  it('declares the move-back reminder setting the code reads, with the same default, in application scope', () => {
    const setting = pkg.contributes.configuration.properties[REMINDER_SETTING];
    assert.ok(setting, `${REMINDER_SETTING} is not declared in package.json`);
    assert.equal(setting.type, 'number');
    assert.equal(setting.default, DEFAULT_REMINDER_HOURS);
    assert.equal(setting.minimum, 0);
    assert.equal(setting.scope, 'application', 'a workspace must not be able to silence the reminder');
  });

  it('offers Test Connection and Recover a Cloud User on Cloud rows, and move back on waiting users', () => {
    const menu = pkg.contributes.menus['view/item/context'] as Array<{ command: string; when: string }>;
    const on = (command: string, row: string) => menu.some((m) => m.command === command && new RegExp(/viewItem =~ \/(.*)\//.exec(m.when)?.[1] ?? `^${/viewItem == (\S+)/.exec(m.when)?.[1]}$`).test(row));
    assert.ok(on('jira2fa.testConnection', 'instance instance-cloud'));
    assert.ok(on('jira2fa.cloud.recoverUser', 'instance instance-cloud'));
    assert.ok(!on('jira2fa.cloud.recoverUser', 'instance instance-jira'));
    assert.ok(!on('jira2fa.unenrollUser', 'instance instance-cloud'));
    assert.ok(on('jira2fa.cloud.moveBack', 'cloudPendingEntry'));
    assert.ok(on('jira2fa.cloud.moveAllBack', 'cloudPendingList cloudPendingList-nonEmpty'));
    assert.ok(!on('jira2fa.cloud.moveAllBack', 'cloudPendingList'));
  });
});
