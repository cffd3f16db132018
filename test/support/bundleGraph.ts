// Reads an esbuild metafile: which source files sit in more than one output, and what the
// extension's entry loads before its first `import()` (the files activation reads).
import type { Metafile } from 'esbuild';

/** Source files whose code lands in two or more outputs (a module bundled twice). */
export function bundledTwice(meta: Metafile): { input: string; outputs: string[] }[] {
  const where = new Map<string, string[]>();
  for (const [out, o] of Object.entries(meta.outputs)) {
    for (const [input, v] of Object.entries(o.inputs)) {
      if (v.bytesInOutput > 0) where.set(input, [...(where.get(input) ?? []), out]);
    }
  }
  return [...where].filter(([, outs]) => outs.length > 1).map(([input, outputs]) => ({ input, outputs }));
}

/** An output and every output it imports statically, transitively: what loading it evaluates. */
export function staticClosure(meta: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (out: string) => {
    if (seen.has(out) || !meta.outputs[out]) return;
    seen.add(out);
    for (const i of meta.outputs[out].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entry);
  return [...seen];
}
