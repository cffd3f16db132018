import assert from 'node:assert/strict';
import { checkForm, EMPTY_FORM, fromProfile, slugify, toProfileInput } from '../../src/webview/instanceForm/formModel';
import { checkProfile } from '../../src/core/profiles/schema';

const filled = { ...EMPTY_FORM, id: 'prod', name: 'Prod', baseUrl: 'https://jira.example.com' };

describe('instance form model', () => {
  it('maps a filled form to a valid profile and back', () => {
    const values = { ...filled, authType: 'basic' as const, username: 'admin', hasDatabase: true, dbHost: 'db', dbPort: '5432', dbName: 'jira', dbUser: 'jira' };
    const r = checkProfile(toProfileInput(values));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    assert.deepEqual(fromProfile(r.profile), { ...values, dbSsl: false });
  });

  it('reports errors against the form field that caused them', () => {
    const { byField } = checkForm({ ...filled, hasDatabase: true, dbDriver: 'mysql', dbName: 'jira', dbPort: 'abc' }, []);
    assert.ok(byField.get('dbHost')?.[0].includes('database.host is required'));
    assert.ok(byField.get('dbPort')?.length);
  });

  it('refuses an id another instance already has', () => {
    const { check, byField } = checkForm(filled, ['prod']);
    assert.equal(check.ok, false);
    assert.match(byField.get('id')?.[0] ?? '', /already used/);
  });

  it('leaves the database out unless the box is ticked', () => {
    assert.equal('database' in toProfileInput({ ...filled, dbHost: 'ignored' }), false);
  });

  it('derives readable ids from names', () => {
    assert.equal(slugify('Prod Jira (EU) — Zürich'), 'prod-jira-eu-zurich');
    assert.equal(slugify('   '), '');
  });

  it('maps the designated Cloud policies (cloud.recoveryPolicyId / defaultPolicyId) both ways, and names a bad id against its field', () => {
    const values = { ...EMPTY_FORM, id: 'acme', name: 'Acme', product: 'cloud' as const, baseUrl: 'https://api.atlassian.com', orgId: 'org-1', recoveryPolicyId: 'pol-rescue', defaultPolicyId: 'pol-staff' };
    const r = checkProfile(toProfileInput(values));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    assert.deepEqual(r.profile.cloud, { recoveryPolicyId: 'pol-rescue', defaultPolicyId: 'pol-staff' });
    assert.deepEqual(fromProfile(r.profile), values);
    assert.equal(toProfileInput({ ...values, recoveryPolicyId: ' ', defaultPolicyId: '' }).cloud, undefined, 'empty fields leave no cloud block');
    const { byField } = checkForm({ ...values, recoveryPolicyId: '../admin' }, []);
    assert.match(byField.get('recoveryPolicyId')?.[0] ?? '', /cloud\.recoveryPolicyId must be a policy id/);
  });
});
