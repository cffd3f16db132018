// Searches files for planted secrets, byte for byte: every file under the given roots (logs,
// settings, the audit log, the browser profile's storage…), in UTF-8 and in UTF-16LE (how
// Chromium keeps some localStorage values). Returns the hits; a spec asserts there are none.
import fs from 'node:fs';
import path from 'node:path';

/** Every regular file under `root` (symlinks not followed). */
export function filesUnder(root) {
  const out = [];
  const walk = (p) => {
    let st;
    try {
      st = fs.lstatSync(p);
    } catch {
      return; // vanished meanwhile (a lock file, a temp file)
    }
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
    else if (st.isFile()) out.push(p);
  };
  walk(root);
  return out;
}

/**
 * @param {string[]} files
 * @param {Record<string, string>} needles  label -> secret value
 * @returns {{ file: string, label: string, encoding: string }[]}
 */
export function findInFiles(files, needles) {
  const patterns = Object.entries(needles).flatMap(([label, value]) => [
    { label, encoding: 'utf8', bytes: Buffer.from(value, 'utf8') },
    { label, encoding: 'utf16le', bytes: Buffer.from(value, 'utf16le') },
  ]);
  const hits = [];
  for (const file of files) {
    let buf;
    try {
      buf = fs.readFileSync(file);
    } catch {
      continue;
    }
    for (const p of patterns) if (buf.includes(p.bytes)) hits.push({ file, label: p.label, encoding: p.encoding });
  }
  return hits;
}

/** Hits of the needles in strings (page HTML, messages), with where they came from. */
export function findInTexts(texts, needles) {
  const hits = [];
  for (const [where, text] of Object.entries(texts)) {
    for (const [label, value] of Object.entries(needles)) if (text.includes(value)) hits.push({ where, label });
  }
  return hits;
}
