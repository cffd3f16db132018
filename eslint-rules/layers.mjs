// The layer rule of docs/architecture.md, for `npm run lint`. One ESLint rule reports, on the
// import that causes it:
//   - an import from a higher layer of src/core, or from src/core into cli/extension/webview,
//     from cli into extension/webview, from webview into cli/extension;
//   - an import that closes a cycle between files, or between the folders of src/core.
// The graph is read once per lint run with TypeScript's import scanner (type imports count:
// a cycle of types is still two modules that cannot be understood one without the other).
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Layers of src/core, lowest first. A folder may import its own layer and those below. */
export const CORE_LAYERS = [
  ['errors', 'printable', 'redact', 'csv', 'platformPaths', 'lazyCrypto', 'userKey', 'privateFile', 'tlsPolicy', 'osUser'],
  ['profiles', 'secrets'],
  ['sandboxSecrets', 'totpLedger', 'db', 'dbconfig', 'credentialOrigin', 'audit'],
  ['jira', 'totp'],
  ['cloud', 'requests'],
  ['backup'],
  ['snippets'],
  ['recovery', 'unenroll'],
  ['bulk'],
  ['actions'],
];

/** Who may import whom among the top folders of src. */
const TOP = {
  core: ['core'],
  webview: ['webview', 'core'],
  cli: ['cli', 'core'],
  extension: ['extension', 'core', 'webview'],
};

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const src = path.join(root, 'src');

/** 'core/jira', 'core/errors', 'extension', … for a file under src/. */
export function unitOf(file) {
  const parts = path.relative(src, file).split(path.sep);
  if (parts[0] !== 'core') return parts[0];
  return `core/${parts.length > 2 ? parts[1] : parts[1].replace(/\.ts$/, '')}`;
}

function layerOf(unit) {
  const name = unit.slice('core/'.length);
  return CORE_LAYERS.findIndex((l) => l.includes(name));
}

function resolveImport(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec.replace(/\.js$/, ''));
  for (const c of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(c)) return c;
  return undefined;
}

function sourceFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []);
}

/** Strongly connected components with more than one member (or a self edge): the cycles. */
function cycles(nodes, edges) {
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], on = new Set(), out = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do { w = stack.pop(); on.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? new Set()).has(v)) out.push(comp);
    }
  };
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return out;
}

let graph;
/** File → imported files, and the cycles of files and of core folders; built once per process. */
export function importGraph(texts = new Map()) {
  if (graph && !texts.size) return graph;
  const files = sourceFiles(src);
  const edges = new Map();
  for (const f of files) {
    const text = texts.get(f) ?? fs.readFileSync(f, 'utf8');
    const found = ts.preProcessFile(text, true, true).importedFiles.map((i) => resolveImport(f, i.fileName)).filter(Boolean);
    edges.set(f, new Set(found));
  }
  const fileComp = new Map();
  for (const c of cycles(files, edges)) for (const f of c) fileComp.set(f, c);
  const units = new Map();
  for (const [f, to] of edges) {
    const a = unitOf(f);
    if (!a.startsWith('core/')) continue;
    for (const t of to) {
      const b = unitOf(t);
      if (b !== a && b.startsWith('core/')) units.set(a, new Set([...(units.get(a) ?? []), b]));
    }
  }
  const unitComp = new Map();
  for (const c of cycles([...units.keys()], units)) for (const u of c) unitComp.set(u, c);
  const g = { edges, fileComp, unitComp };
  if (!texts.size) graph = g;
  return g;
}

/** Why importing `to` from `from` breaks the layers, or undefined. */
export function layerProblem(from, to) {
  const a = unitOf(from), b = unitOf(to);
  const topA = a.split('/')[0], topB = b.split('/')[0];
  if (!TOP[topA]?.includes(topB)) return `src/${topA} must not import src/${topB}`;
  if (topA === 'core' && topB === 'core' && a !== b) {
    const la = layerOf(a), lb = layerOf(b);
    if (la < 0) return `src/${a} is not in the layer table (eslint-rules/layers.mjs, docs/architecture.md): add it to its layer`;
    if (lb < 0) return `src/${b} is not in the layer table (eslint-rules/layers.mjs, docs/architecture.md): add it to its layer`;
    if (lb > la) return `src/${a} (layer ${la}) must not import src/${b} (layer ${lb}): lower layers never import higher ones`;
  }
  return undefined;
}

export default {
  rules: {
    layers: {
      meta: { type: 'problem', docs: { description: 'Layer order of src and src/core, and no import cycles (docs/architecture.md)' }, schema: [] },
      create(context) {
        const file = context.filename;
        if (!file.startsWith(src + path.sep) || !file.endsWith('.ts')) return {};
        const g = importGraph();
        const check = (node, spec) => {
          if (typeof spec !== 'string') return;
          const to = resolveImport(file, spec);
          if (!to) return;
          const problem = layerProblem(file, to);
          if (problem) return void context.report({ node, message: problem });
          const comp = g.fileComp.get(file);
          if (comp?.includes(to)) {
            return void context.report({ node, message: `import cycle between files: ${comp.map((f) => path.relative(root, f)).join(' → ')}` });
          }
          const a = unitOf(file), b = unitOf(to);
          const uc = g.unitComp.get(a);
          if (a !== b && uc?.includes(b)) context.report({ node, message: `import cycle between folders of src/core: ${uc.join(' ↔ ')}` });
        };
        return {
          ImportDeclaration: (n) => check(n, n.source.value),
          ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
          ExportAllDeclaration: (n) => check(n, n.source.value),
          ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
        };
      },
    },
  },
};
