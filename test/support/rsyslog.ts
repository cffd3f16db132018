/**
 * Debian's rsyslog as a real syslog receiver for tests: rsyslogd in the foreground with a
 * config written here (imtcp on a free loopback port, optionally TLS through the gtls netstream
 * driver with the given certificate), its own work folder and pid file, writing each message
 * it receives as one line (%rawmsg%) to a file the test parses. Stopped by stop().
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const RSYSLOGD = process.env.JIRA2FA_RSYSLOGD || '/usr/sbin/rsyslogd';

export function rsyslogAvailable(): boolean {
  return fs.existsSync(RSYSLOGD);
}

export function gtlsAvailable(): boolean {
  return ['/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so', '/usr/lib/aarch64-linux-gnu/rsyslog/lmnsd_gtls.so', '/usr/lib/rsyslog/lmnsd_gtls.so'].some((f) => fs.existsSync(f));
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface RsyslogTls {
  caFile: string;
  certFile: string;
  key: string;
}

export interface Rsyslog {
  port: number;
  dir: string;
  out: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The raw messages received so far, one per line. */
  lines(): Promise<string[]>;
  cleanup(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited with ${child.exitCode}: ${await fsp.readFile(log, 'utf8').catch(() => '')}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`rsyslogd did not listen on ${port} within 15 s`);
}

export async function createRsyslog(options: { tls?: RsyslogTls; port?: number } = {}): Promise<Rsyslog> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'j2fa-rsyslog-'));
  const port = options.port ?? (await freePort());
  const out = path.join(dir, 'received.log');
  const conf = path.join(dir, 'rsyslog.conf');
  const q = (s: string) => JSON.stringify(s);
  const lines = [`global(workDirectory=${q(dir)} maxMessageSize="64k"`];
  if (options.tls) {
    const keyFile = path.join(dir, 'server.key');
    await fsp.writeFile(keyFile, options.tls.key, { mode: 0o600 });
    lines[0] += ` defaultNetstreamDriver="gtls" defaultNetstreamDriverCAFile=${q(options.tls.caFile)} defaultNetstreamDriverCertFile=${q(options.tls.certFile)} defaultNetstreamDriverKeyFile=${q(keyFile)}`;
  }
  lines[0] += ')';
  lines.push(options.tls ? 'module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")' : 'module(load="imtcp")');
  lines.push(`input(type="imtcp" port="${port}" address="127.0.0.1" ruleset="received")`);
  lines.push('template(name="raw" type="string" string="%rawmsg%\\n")');
  lines.push(`ruleset(name="received") { action(type="omfile" file=${q(out)} template="raw" flushOnTXEnd="on" asyncWriting="off") }`);
  await fsp.writeFile(conf, `${lines.join('\n')}\n`);
  const check = spawnSync(RSYSLOGD, ['-N1', '-f', conf], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`rsyslogd refused the test config: ${check.stderr || check.stdout}`);
  let child: ChildProcess | undefined;
  const log = path.join(dir, 'rsyslogd.log');
  const rs: Rsyslog = {
    port,
    dir,
    out,
    async start() {
      const fd = fs.openSync(log, 'a');
      child = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', fd, fd] });
      fs.closeSync(fd);
      await waitForPort(port, child, log);
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      });
    },
    async lines() {
      try {
        return (await fsp.readFile(out, 'utf8')).split('\n').filter((l) => l);
      } catch {
        return [];
      }
    },
    async cleanup() {
      await rs.stop();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
  return rs;
}
