#!/usr/bin/env node
// Refreshes the README's screenshots (media/screenshots/) from the last real-editor run
// (test-results/<spec>/NN-step.png, written by `npm run test:e2e`). Each README picture has a
// list of candidate shots, best first; the first one present is copied. A picture with no
// candidate in test-results/ keeps its current file, and the script says so.
//   node scripts/screenshots.mjs [--check]   (--check: only report, copy nothing)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = path.join(ROOT, 'test-results');
const OUT = path.join(ROOT, 'media', 'screenshots');

/** README picture -> e2e screenshots that show it (spec folder / file name without the NN- prefix). */
export const PICTURES = {
  'tree.png': ['06-sandbox/test-connection-ok', '02-unenroll/tree-status-after-test-connection'],
  'unenroll-form.png': ['06-sandbox/unenroll-alice-done', '02-unenroll/unenroll-success-with-audit-id'],
  'sql-results.png': ['03-sql/recovery-code-results'],
  'audit-log.png': ['06-sandbox/audit-log', '02-unenroll/audit-log-panel-shows-entry'],
  'cloud-recover.png': ['04-cloud/panel-designated-recovery-policy'],
  'bulk-report.png': ['05-bulk/report-opened'],
};

/** The newest file in test-results/<spec>/ named NN-<step>.png, if any. */
export function findShot(candidate, results = RESULTS) {
  const [spec, step] = candidate.split('/');
  const dir = path.join(results, spec);
  if (!fs.existsSync(dir)) return undefined;
  const hits = fs
    .readdirSync(dir)
    .filter((f) => f.replace(/^\d+-/, '') === `${step}.png`)
    .map((f) => path.join(dir, f));
  return hits.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  fs.mkdirSync(OUT, { recursive: true });
  let missing = 0;
  for (const [picture, candidates] of Object.entries(PICTURES)) {
    const source = candidates.map((c) => findShot(c)).find(Boolean);
    const target = path.join(OUT, picture);
    if (!source) {
      missing++;
      console.log(`${picture}: no screenshot in test-results/ (${candidates.join(', ')}); ${fs.existsSync(target) ? 'kept the current one' : 'MISSING'}`);
      continue;
    }
    if (!check) fs.copyFileSync(source, target);
    console.log(`${picture}: ${check ? 'would copy' : 'copied'} ${path.relative(ROOT, source)}`);
  }
  if (missing) console.log(`${missing} picture(s) not refreshed: run the e2e specs that take them (npm run test:e2e) first.`);
}
