// Loads the documented Atlassian examples in test/contract/atlassian/ (see its README).
// A fixture is copied from Atlassian's documentation, so the loader checks only the envelope
// that says where it came from; what the body must look like is each contract suite's job.
import fs from 'node:fs';
import path from 'node:path';

export interface ContractFixture {
  /** File name without folder, e.g. `cloud/task-status-done.json`. */
  readonly name: string;
  readonly source: string;
  readonly read: string;
  readonly note?: string;
  readonly request?: { method: string; path: string; query?: Record<string, string>; body?: unknown };
  readonly response: { status: number; headers?: Record<string, string>; body?: unknown };
}

export const FIXTURE_DIR = path.join(__dirname, 'atlassian');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return walk(full);
    return d.name.endsWith('.json') ? [full] : [];
  });
}

export function envelopeProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return 'not a JSON object';
  const f = raw as Record<string, unknown>;
  if (typeof f.source !== 'string' || !/^https:\/\/[^\s]+$/.test(f.source)) return '"source" must be the https URL it was copied from';
  if (typeof f.read !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(f.read)) return '"read" must be the date it was read (YYYY-MM-DD)';
  const res = f.response as Record<string, unknown> | undefined;
  if (typeof res !== 'object' || res === null || typeof res.status !== 'number') return '"response.status" is required';
  return undefined;
}

/** Every fixture under `sub` (e.g. "cloud", "datacenter"); throws naming a file whose envelope is wrong. */
export function loadFixtures(sub = ''): ContractFixture[] {
  const dir = path.join(FIXTURE_DIR, sub);
  if (!fs.existsSync(dir)) return [];
  return walk(dir).sort().map((file) => {
    const raw: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    const problem = envelopeProblem(raw);
    const name = path.relative(FIXTURE_DIR, file);
    if (problem) throw new Error(`${name}: ${problem}`);
    return { name, ...(raw as Omit<ContractFixture, 'name'>) };
  });
}

export function fixture(name: string): ContractFixture {
  const found = loadFixtures().find((f) => f.name === name);
  if (!found) throw new Error(`no contract fixture ${name}`);
  return found;
}
