import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('walkthrough', () => {
  const walkthrough = pkg.contributes.walkthroughs?.[0];
  const declared = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));

  it('takes a first-time user from adding an instance to the audit log, in that order', () => {
    assert.ok(walkthrough, 'contributes.walkthroughs is missing');
    assert.deepEqual(
      walkthrough.steps.map((s: { id: string }) => s.id),
      ['addInstance', 'setCredentials', 'testConnection', 'unenrollUser', 'runSnippet', 'auditLog'],
    );
  });

  it('gives every step a command link to a declared command and an existing markdown page', () => {
    for (const step of walkthrough.steps as Array<{ id: string; description: string; media: { markdown: string }; completionEvents: string[] }>) {
      const links = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.equal(links.length, 1, `step ${step.id} needs exactly one command link`);
      const [command] = links;
      assert.ok(declared.has(command), `step ${step.id} links to ${command}, which is not declared`);
      assert.equal(step.completionEvents[0], `onCommand:${command}`);
      // Steps already done tick from context keys the extension sets (walkthroughContext.ts).
      for (const event of step.completionEvents.slice(1)) assert.match(event, /^onContext:jira2fa\.walkthrough\.(hasInstance|hasCredentials|connectionTested|unenrolled|snippetRun)$/);
      const page = path.join(ROOT, step.media.markdown);
      assert.ok(fs.existsSync(page), `step ${step.id}: ${step.media.markdown} does not exist`);
      assert.match(fs.readFileSync(page, 'utf8'), /^# /, `${step.media.markdown} starts with a heading`);
    }
  });
});
