/** Test doubles: a clock that sleeps instantly, an audit sink that records, a secret store in memory. */
import type { AuditEntry, AuditEntryInput, AuditSink } from '../../src/core/audit/types';
import type { SecretKind, SecretStore, StoredSecret } from '../../src/core/secrets';
import type { Clock } from '../../src/core/totp';

export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(public ms: number) {}

  now(): number {
    return this.ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    this.sleeps.push(ms);
    this.ms += ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}

export class FakeAuditSink implements AuditSink {
  readonly entries: AuditEntry[] = [];
  failWith?: Error;

  async append(entry: AuditEntryInput): Promise<AuditEntry> {
    if (this.failWith) throw this.failWith;
    const full: AuditEntry = { ...entry, id: String(this.entries.length + 1), time: new Date(0).toISOString(), prevHash: '', hash: `h${this.entries.length + 1}` };
    this.entries.push(full);
    return full;
  }
}

export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();
  readonly origins = new Map<string, string>();

  async get(instanceId: string, kind: SecretKind): Promise<string | undefined> {
    return this.values.get(`${instanceId}:${kind}`);
  }

  async getWithOrigin(instanceId: string, kind: SecretKind): Promise<StoredSecret | undefined> {
    const value = this.values.get(`${instanceId}:${kind}`);
    if (value === undefined) return undefined;
    const origin = this.origins.get(`${instanceId}:${kind}`);
    return origin === undefined ? { value } : { value, origin };
  }

  async set(instanceId: string, kind: SecretKind, value: string, origin?: string): Promise<void> {
    this.values.set(`${instanceId}:${kind}`, value);
    if (origin === undefined) this.origins.delete(`${instanceId}:${kind}`);
    else this.origins.set(`${instanceId}:${kind}`, origin);
  }

  async setOrigin(instanceId: string, kind: SecretKind, origin: string): Promise<void> {
    this.origins.set(`${instanceId}:${kind}`, origin);
  }

  async delete(instanceId: string, kind: SecretKind): Promise<void> {
    this.values.delete(`${instanceId}:${kind}`);
    this.origins.delete(`${instanceId}:${kind}`);
  }
}
