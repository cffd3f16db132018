/**
 * The snippet catalogue: the built-in snippets shipped as .sql files in media/snippets/
 * (inside the VSIX and the CLI package), plus any folders of the admin's own snippets.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { InstanceProfile } from '../profiles/schema';
import { dialectOf } from '../db/dialect';
import { parseSnippet } from './parser';
import type { Diagnostic, Snippet, SnippetProduct } from './types';

/** media/snippets of the package this code belongs to: the nearest folder above with a package.json (source or bundle alike). */
export function builtinSnippetDir(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'media', 'snippets');
}

export interface SnippetFileProblem {
  file: string;
  diagnostics: Diagnostic[];
}

export interface SnippetCatalogue {
  snippets: Snippet[];
  /** Files that did not parse, or parsed with warnings. */
  problems: SnippetFileProblem[];
}

async function sqlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sqlFiles(p)));
    else if (e.isFile() && e.name.toLowerCase().endsWith('.sql')) out.push(p);
  }
  return out;
}

/** Parses every .sql file under a folder (recursively). A missing folder is an empty one. */
export async function loadSnippetDir(dir: string, builtin = false): Promise<SnippetCatalogue> {
  let files: string[];
  try {
    files = await sqlFiles(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { snippets: [], problems: [] };
    throw e;
  }
  const result: SnippetCatalogue = { snippets: [], problems: [] };
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const source = builtin ? `builtin:${path.relative(dir, file).split(path.sep).join('/')}` : file;
    const parsed = parseSnippet(text, source, builtin);
    if (parsed.diagnostics.length) result.problems.push({ file: source, diagnostics: parsed.diagnostics });
    if (parsed.snippet) result.snippets.push(parsed.snippet);
  }
  return result;
}

let builtinCache: Promise<SnippetCatalogue> | undefined;

/** The built-in snippets (read once). */
export function loadBuiltinSnippets(dir = builtinSnippetDir()): Promise<SnippetCatalogue> {
  if (dir !== builtinSnippetDir()) return loadSnippetDir(dir, true);
  builtinCache ??= loadSnippetDir(dir, true).catch((e) => {
    builtinCache = undefined;
    throw e;
  });
  return builtinCache;
}

/**
 * Built-in and own snippets for one profile: its product, its database's dialect. Own
 * snippets come later and may not reuse a built-in name (reported as a problem).
 */
export async function snippetsForProfile(
  profile: Pick<InstanceProfile, 'product' | 'database'>,
  options: { extraDirs?: string[]; builtinDir?: string } = {},
): Promise<SnippetCatalogue> {
  const parts = [await loadBuiltinSnippets(options.builtinDir)];
  for (const dir of options.extraDirs ?? []) parts.push(await loadSnippetDir(dir, false));
  const out: SnippetCatalogue = { snippets: [], problems: [] };
  const names = new Map<string, string>();
  for (const part of parts) {
    out.problems.push(...part.problems);
    for (const s of part.snippets) {
      const first = names.get(s.name);
      if (first) {
        out.problems.push({ file: s.source, diagnostics: [{ line: 1, column: 1, severity: 'error', message: `the name ${s.name} is already used by ${first}` }] });
        continue;
      }
      names.set(s.name, s.source);
      if (!profile.database) continue;
      if (!s.products.includes(profile.product as SnippetProduct)) continue;
      if (!s.dialects.includes(dialectOf(profile.database.driver))) continue;
      out.snippets.push(s);
    }
  }
  return out;
}

/** A built-in snippet by name (throws when missing: the package is incomplete). */
export async function builtinSnippet(name: string, dir?: string): Promise<Snippet> {
  const { snippets, problems } = await loadBuiltinSnippets(dir);
  const s = snippets.find((x) => x.name === name);
  if (!s) {
    const why = problems.find((p) => p.diagnostics.some((d) => d.severity === 'error'));
    throw new Error(`built-in snippet ${name} is missing${why ? ` (${why.file}: ${why.diagnostics[0].message})` : ''}`);
  }
  return s;
}
