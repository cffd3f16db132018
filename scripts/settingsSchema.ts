/**
 * The JSON schema VS Code shows for `jira2fa.instances` in settings.json, generated from the
 * profile schema so hand edits get the same completion and errors as the form.
 * `npx tsx scripts/settingsSchema.ts --write` refreshes package.json; a unit test fails when
 * package.json has drifted from the schema.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';
import { InstanceSchema } from '../src/core/profiles/schema';

export function instancesItemSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(InstanceSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}

if (process.argv.includes('--write')) {
  const file = path.join(__dirname, '..', 'package.json');
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  pkg.contributes.configuration.properties['jira2fa.instances'].items = instancesItemSchema();
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
  console.log('package.json: jira2fa.instances schema updated');
}
