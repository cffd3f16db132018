// Types of scripts/package.mjs for the TypeScript tests that import it.
export interface ZipEntry {
  name: string;
  data(): Buffer;
}
export function readZip(file: string): ZipEntry[];
export function listZip(file: string): string[];
export function checkVsixEntries(entries: string[], manifest: { main?: string; icon?: string }): string[];
export function packageVsix(opts?: { root?: string; out?: string; build?: boolean; log?: (line: string) => void }): Promise<{ vsix: string; entries: string[]; sizeBytes: number; durationMs: number }>;
