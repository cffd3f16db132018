/**
 * package.json `contributes.commands` and the Command Palette's hidden entries, written from
 * the command table (src/extension/commandTable.ts). `npx tsx scripts/commandsManifest.ts --write`
 * refreshes package.json; test/unit/manifest.test.ts fails when package.json has drifted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { contributedCommands, hiddenFromPalette } from '../src/extension/commandTable';

if (process.argv.includes('--write')) {
  const file = path.join(__dirname, '..', 'package.json');
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  pkg.contributes.commands = contributedCommands();
  pkg.contributes.menus.commandPalette = hiddenFromPalette();
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
  console.log('package.json: contributes.commands and menus.commandPalette written from src/extension/commandTable.ts');
}
