// Builds the production bundles and packages the extension as jira-2fa-admin-<version>.vsix,
// then opens the VSIX and fails when it holds anything but dist/, media/, README.md,
// CHANGELOG.md, LICENSE and package.json (.vscodeignore decides; this checks it did).
//   node scripts/package.mjs [--out <file.vsix>] [--no-build]
//   import { packageVsix } from './scripts/package.mjs'   (used by test/e2e/run.mjs)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The entries of a zip file: name, and a function giving the uncompressed bytes (stored or
 * deflated, what vsce writes). Reads the central directory; no zip64, no deps.
 */
export function readZip(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const data = () => {
      if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`${file}: bad local header for ${name}`);
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const raw = buf.subarray(start, start + compressedSize);
      if (method === 0) return Buffer.from(raw);
      if (method === 8) return zlib.inflateRawSync(raw);
      throw new Error(`${file}: ${name} uses compression method ${method}`);
    };
    entries.push({ name, data, size, compressedSize });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Names of the entries of a zip file. */
export function listZip(file) {
  return readZip(file).map((e) => e.name);
}

/** Problems with the VSIX's file list; [] when it is what we ship. */
export function checkVsixEntries(entries, manifest) {
  const problems = [];
  const files = entries.filter((e) => !e.endsWith('/'));
  const inExt = files.filter((e) => e.startsWith('extension/')).map((e) => e.slice('extension/'.length));
  const vsixMeta = new Set(['extension.vsixmanifest', '[Content_Types].xml']);
  for (const e of files) if (!e.startsWith('extension/') && !vsixMeta.has(e)) problems.push(`unexpected entry ${e}`);
  const allowedTop = /^(dist\/|media\/|README\.md$|CHANGELOG\.md$|LICEN[CS]E(\.(md|txt))?$|package\.json$)/i;
  for (const f of inExt) {
    if (/^(src|test|node_modules|\.e2e|\.sandbox|test-results|scripts|bench)\//.test(f)) problems.push(`must not ship ${f}`);
    else if (/\.map$/.test(f)) problems.push(`must not ship the source map ${f}`);
    else if (/(^|\/)pglite[-.]|\.wasm$|\.data$/i.test(f)) problems.push(`must not ship PGlite (tests and sandbox only): ${f}`);
    else if (/^media\/screenshots\//.test(f)) problems.push(`must not ship the README screenshots: ${f}`);
    else if (!allowedTop.test(f)) problems.push(`not in the allowed list (dist/, media/, README.md, CHANGELOG.md, LICENSE, package.json): ${f}`);
  }
  const has = (re) => inExt.some((f) => re.test(f));
  for (const [re, what] of [
    [/^package\.json$/, 'package.json'],
    [/^README\.md$/i, 'README.md'],
    [/^CHANGELOG\.md$/i, 'CHANGELOG.md'],
    [/^LICEN[CS]E(\.(md|txt))?$/i, 'LICENSE'],
  ]) {
    if (!has(re)) problems.push(`missing ${what}`);
  }
  const main = (manifest.main || '').replace(/^\.\//, '');
  if (main && !inExt.includes(main) && !inExt.includes(`${main}.js`)) problems.push(`missing the entry point ${main} (package.json "main")`);
  if (manifest.icon && !inExt.includes(manifest.icon.replace(/^\.\//, ''))) problems.push(`missing the icon ${manifest.icon}`);
  return problems;
}

function run(cmd, args, { cwd, log, label, quiet = () => false }) {
  return new Promise((resolve, reject) => {
    // stdout is a pipe, so vsce never waits for an answer on a terminal
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let output = '';
    const onData = (d) => {
      output += d;
      for (const line of String(d).split('\n')) {
        // vsce's file tree is long; we print our own summary (and --list prints the entries)
        if (line.trim() && !quiet(line)) log(`[${label}] ${line.trimEnd()}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${label} failed with exit code ${code}`))));
  });
}

/**
 * Builds (node esbuild.config.mjs --production) and packages the extension.
 * Returns { vsix, entries, sizeBytes, durationMs }. Throws when anything fails or the VSIX
 * contains files it must not.
 */
export async function packageVsix({ root = ROOT, out, build = true, log = console.log } = {}) {
  const t0 = Date.now();
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const vsix = path.resolve(out || path.join(root, `${manifest.name}-${manifest.version}.vsix`));
  if (build) {
    await run(process.execPath, ['esbuild.config.mjs', '--production'], { cwd: root, log, label: 'build' });
  }
  const main = path.join(root, (manifest.main || 'dist/extension.js').replace(/^\.\//, ''));
  if (!fs.existsSync(main) && !fs.existsSync(`${main}.js`)) throw new Error(`the build did not produce ${path.relative(root, main)}`);

  const vsceBin = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  if (!fs.existsSync(vsceBin)) throw new Error('@vscode/vsce is not installed (devDependency): run `npm install`');
  fs.mkdirSync(path.dirname(vsix), { recursive: true });
  fs.rmSync(vsix, { force: true });
  const treeLine = (line) => /^\s*[│├└]|Files included in the VSIX/.test(line) || line.trim() === path.basename(vsix);
  // --no-rewrite-relative-links: there is no public repository URL to rewrite them to. The README's
  // screenshots stay out of the VSIX (.vscodeignore): they show on the repository, not in the
  // editor's extension page (README "Performance", VSIX size note).
  await run(process.execPath, [vsceBin, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix], { cwd: root, log, label: 'vsce', quiet: treeLine });

  const zip = readZip(vsix);
  const entries = zip.map((e) => e.name);
  const problems = checkVsixEntries(entries, manifest);
  if (problems.length) {
    throw new Error(`${path.basename(vsix)} is not what we ship (fix .vscodeignore / the build):\n  - ${problems.join('\n  - ')}`);
  }
  const sizeBytes = fs.statSync(vsix).size;
  log(`[package] ${path.relative(process.cwd(), vsix) || vsix}: ${entries.length} entries, ${(sizeBytes / 1024).toFixed(0)} KiB, contents OK (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const largest = largestEntries(zip);
  const previous = previousPackage(root);
  if (previous) log(`[package] previous package (${previous.what}): ${(previous.sizeBytes / 1024).toFixed(0)} KiB packed, ${previous.entries} entries`);
  log(`[package] largest entries (packed / unpacked KiB): ${largest.map((e) => `${e.name} ${(e.compressedSize / 1024).toFixed(0)}/${(e.size / 1024).toFixed(0)}`).join(', ')}`);
  return { vsix, entries, sizeBytes, largest, previous, durationMs: Date.now() - t0 };
}

/** The biggest files of the VSIX by packed size. */
export function largestEntries(zip, n = 8) {
  return zip.filter((e) => !e.name.endsWith('/')).sort((a, b) => b.compressedSize - a.compressedSize).slice(0, n).map(({ name, size, compressedSize }) => ({ name: name.replace(/^extension\//, ''), size, compressedSize }));
}

/** The size of the package before this one, as recorded in bench/vsix-previous.json. */
export function previousPackage(root = ROOT) {
  const file = path.join(root, 'bench', 'vsix-previous.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  try {
    const { entries } = await packageVsix({ out: outIdx >= 0 ? args[outIdx + 1] : undefined, build: !args.includes('--no-build') });
    if (args.includes('--list')) for (const e of entries) console.log(`  ${e}`);
  } catch (e) {
    console.error(`package: ${e.message}`);
    process.exit(1);
  }
}
