/**
 * A syslog receiver as a shipping destination. Each delivery opens a connection, writes the
 * batch's framed messages, half-closes, and counts as delivered only when the receiver has
 * closed its side after reading everything without an error: a receiver that is down, resets
 * the connection, or does not finish in time leaves the batch waiting (sent again later).
 * Plain syslog has no acknowledgement, so a receiver that reads a message and then crashes
 * before storing it can still lose it; what this guarantees is that no entry is skipped.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import { AppError } from '../../errors';
import type { Destination } from '../ship/shipper';
import type { ShipRecord } from '../ship/records';
import { syslogId, type SyslogConfig } from './config';
import { formatMessage, frame } from './format';

export interface SyslogDestinationOptions {
  /** Connect and delivery time limit (default 15 s). */
  timeoutMs?: number;
  hostname?: string;
}

export class SyslogDestination implements Destination {
  readonly id: string;
  readonly label: string;
  private ca?: string;

  constructor(private readonly cfg: SyslogConfig, private readonly options: SyslogDestinationOptions = {}) {
    this.id = syslogId(cfg);
    this.label = `syslog ${this.id}`;
  }

  private async socket(): Promise<net.Socket> {
    const { host, port } = this.cfg;
    if (this.cfg.transport === 'tcp') return net.connect({ host, port });
    if (this.cfg.caFile && this.ca === undefined) {
      try {
        this.ca = await readFile(this.cfg.caFile, 'utf8');
      } catch (e) {
        throw new AppError('input', `the syslog CA file cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}): ${this.cfg.caFile}`);
      }
    }
    return tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...(this.ca ? { ca: this.ca } : {}) });
  }

  async deliver(records: ShipRecord[]): Promise<void> {
    if (!records.length) return;
    const header = { hostname: this.options.hostname ?? os.hostname(), procId: String(process.pid) };
    const data = Buffer.concat(records.map((r) => frame(formatMessage(r, header))));
    const sock = await this.socket();
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    await new Promise<void>((resolve, reject) => {
      let failed: Error | undefined;
      const timer = setTimeout(() => {
        failed = new Error(`the syslog receiver did not finish reading within ${timeoutMs / 1000} s`);
        sock.destroy();
      }, timeoutMs);
      sock.on('error', (e) => (failed ??= e));
      sock.on('close', () => {
        clearTimeout(timer);
        if (failed) reject(failed);
        else if (!sock.readableEnded) reject(new Error('the syslog connection closed before the receiver ended it'));
        else resolve();
      });
      // The receiver sends nothing; reading lets us see its end of the stream.
      sock.on('data', () => undefined);
      sock.once(this.cfg.transport === 'tls' ? 'secureConnect' : 'connect', () => {
        sock.end(data);
      });
    });
  }

  async close(): Promise<void> {
    /* one connection per delivery: nothing held */
  }
}
