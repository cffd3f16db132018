/**
 * Instance profiles live in the user setting `jira2fa.instances` (scope "application": a
 * workspace can never add an instance or point a token at another host). Each entry is
 * validated on its own; invalid ones are kept as they are and shown as errors, never
 * dropped or silently fixed.
 *
 * The validator (the zod profile schema) is imported by ready(), not at activation: the tree's
 * first rows and startServices() await it, and snapshot() is for code that runs after that.
 */
import * as vscode from 'vscode';
import type { InvalidEntry, validateEntries } from '../core/profiles/exchange';
import type { InstanceProfile } from '../core/profiles/schema';

const SECTION = 'jira2fa';
const KEY = 'instances';

export interface ProfileSnapshot {
  profiles: InstanceProfile[];
  invalid: InvalidEntry[];
}

export class ProfileStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly watcher: vscode.Disposable;
  /** The last validation of the setting; the tree, commands and panels ask often. */
  private cached: ProfileSnapshot | undefined;
  private validate: typeof validateEntries | undefined;
  private loading: Promise<void> | undefined;

  constructor() {
    this.watcher = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.${KEY}`)) {
        this.cached = undefined;
        this.changed.fire();
      }
    });
  }

  /** Raw entries exactly as the user settings hold them. */
  private raw(): unknown[] {
    // Only the user (global) value counts; the setting is application-scoped anyway.
    const value = vscode.workspace.getConfiguration(SECTION).inspect<unknown>(KEY)?.globalValue;
    return Array.isArray(value) ? value : [];
  }

  /** Loads the validator once; then the snapshot as snapshot() gives it. */
  async ready(): Promise<ProfileSnapshot> {
    this.loading ??= import('../core/profiles/exchange.js').then((m) => {
      this.validate = m.validateEntries;
    });
    await this.loading;
    return this.snapshot();
  }

  /** The valid and invalid entries, validated once per change of the setting. Only after ready(). */
  snapshot(): ProfileSnapshot {
    if (!this.validate) throw new Error('ProfileStore.snapshot() was called before ready()');
    return (this.cached ??= this.validate(this.raw()));
  }

  get(id: string): InstanceProfile | undefined {
    return this.snapshot().profiles.find((p) => p.id === id);
  }

  /** Adds or replaces (by id) one profile, keeping every other entry as it was, invalid ones too. */
  async upsert(profile: InstanceProfile, previousId?: string): Promise<void> {
    const raw = this.raw();
    const matchId = previousId ?? profile.id;
    const index = raw.findIndex((e) => isEntryWithId(e, matchId));
    const next = [...raw];
    if (index >= 0) next[index] = profile;
    else next.push(profile);
    await this.write(next);
  }

  async remove(id: string): Promise<void> {
    await this.write(this.raw().filter((e) => !isEntryWithId(e, id)));
  }

  /** Replaces the valid entries (used by import); invalid entries stay untouched. */
  async replaceValid(profiles: InstanceProfile[]): Promise<void> {
    const raw = this.raw();
    const incoming = new Map(profiles.map((p) => [p.id, p]));
    const next = raw.map((e) => {
      const id = entryId(e);
      if (id && incoming.has(id)) {
        const p = incoming.get(id);
        incoming.delete(id);
        return p;
      }
      return e;
    });
    await this.write([...next, ...incoming.values()]);
  }

  private async write(entries: unknown[]): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update(KEY, entries, vscode.ConfigurationTarget.Global);
    this.cached = undefined; // also when the change event comes later than the update
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}

function entryId(e: unknown): string | undefined {
  return e && typeof e === 'object' && typeof (e as { id?: unknown }).id === 'string' ? (e as { id: string }).id : undefined;
}

function isEntryWithId(e: unknown, id: string): boolean {
  return entryId(e) === id;
}
