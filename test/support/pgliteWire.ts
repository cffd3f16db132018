/**
 * Serves one PGlite database over the PostgreSQL wire protocol on 127.0.0.1, so that several
 * processes can use the same embedded database: PGlite is one in-process session and its data
 * directory cannot be opened by two processes. The sandbox opens the database here and the
 * extension (in code-server's extension host), the CLI and the Jira simulator all connect to it
 * with the ordinary `postgres` driver.
 *
 * PGlite itself speaks the protocol (execProtocolRaw takes one frontend message and returns the
 * backend's answer); this file only frames messages and schedules connections. PGlite has ONE
 * session, so a connection owns it from its first message until PGlite says it is idle outside
 * a transaction (ReadyForQuery 'I'); every other connection waits. That keeps transactions and
 * extended-protocol sequences (Parse…Sync) of different clients from interleaving. A client that
 * disconnects while it owns the session has its open transaction rolled back.
 *
 * Written for this project (the published pglite-socket package pins an older PGlite).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** What we need of a PGlite instance (kept structural so tests can use any PGlite build). */
export interface PgliteLike {
  execProtocolRaw(message: Uint8Array, options?: { syncToFs?: boolean }): Promise<Uint8Array>;
  runExclusive<T>(fn: () => Promise<T>): Promise<T>;
  isInTransaction(): boolean;
  exec(sql: string): Promise<unknown>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

/** One frontend message: `startup` ones have no type byte. */
interface Frame {
  type: string | 'startup' | 'ssl' | 'cancel';
  bytes: Buffer;
}

/** Splits buffered bytes into complete frames; returns the frames and the unused rest. */
export function readFrames(buf: Buffer, started: boolean): { frames: Frame[]; rest: Buffer; started: boolean } {
  const frames: Frame[] = [];
  let p = 0;
  while (true) {
    if (!started) {
      if (buf.length - p < 8) break;
      const len = buf.readInt32BE(p);
      if (len < 8 || len > 10_000) throw new Error(`bad startup packet length ${len}`);
      if (buf.length - p < len) break;
      const code = buf.readInt32BE(p + 4);
      const bytes = buf.subarray(p, p + len);
      p += len;
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) frames.push({ type: 'ssl', bytes });
      else if (code === CANCEL_REQUEST) frames.push({ type: 'cancel', bytes });
      else if (code === PROTOCOL_3) {
        frames.push({ type: 'startup', bytes });
        started = true;
      } else throw new Error(`unsupported protocol version ${code}`);
      continue;
    }
    if (buf.length - p < 5) break;
    const len = buf.readInt32BE(p + 1);
    if (len < 4) throw new Error(`bad message length ${len}`);
    if (buf.length - p < len + 1) break;
    frames.push({ type: String.fromCharCode(buf[p]), bytes: buf.subarray(p, p + len + 1) });
    p += len + 1;
  }
  return { frames, rest: Buffer.from(buf.subarray(p)), started };
}

/** The status byte of the last ReadyForQuery ('Z') in a backend answer, if any. */
export function lastReadyStatus(answer: Uint8Array): string | undefined {
  const b = Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength);
  let status: string | undefined;
  let p = 0;
  while (b.length - p >= 5) {
    const type = String.fromCharCode(b[p]);
    const len = b.readInt32BE(p + 1);
    if (len < 4) break;
    if (type === 'Z' && len === 5 && p + 5 < b.length) status = String.fromCharCode(b[p + 5]);
    p += len + 1;
  }
  return status;
}

export interface PgliteWireServer {
  host: string;
  port: number;
  /** Connections open now (for tests and for the sandbox's shutdown message). */
  connections(): number;
  /** Closes every connection and the listener; rolls back a transaction left open. */
  close(): Promise<void>;
}

export async function servePglite(db: PgliteLike, options: { host?: string; port?: number } = {}): Promise<PgliteWireServer> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();
  /** The connection that owns PGlite's one session, and who waits for it. */
  let owner: net.Socket | undefined;
  const waiting: Array<{ socket: net.Socket; go: () => void }> = [];

  const acquire = (socket: net.Socket): Promise<void> => {
    if (!owner || owner === socket) {
      owner = socket;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push({ socket, go: resolve }));
  };
  const release = (socket: net.Socket): void => {
    if (owner !== socket) return;
    owner = undefined;
    const next = waiting.shift();
    if (next) {
      owner = next.socket;
      next.go();
    }
  };

  const onConnection = (socket: net.Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let buffered: Buffer = Buffer.alloc(0);
    let started = false;
    // One message at a time per connection, in arrival order.
    let chain: Promise<void> = Promise.resolve();
    let closed = false;

    const handle = async (frame: Frame): Promise<void> => {
      if (closed) return;
      if (frame.type === 'ssl') {
        socket.write('N'); // no TLS on a loopback-only sandbox database
        return;
      }
      if (frame.type === 'cancel') {
        socket.end(); // cancelling a running query is not supported
        return;
      }
      if (frame.type === 'X') {
        socket.end();
        return;
      }
      await acquire(socket);
      if (closed) return release(socket);
      const answer = await db.runExclusive(() => db.execProtocolRaw(new Uint8Array(frame.bytes), { syncToFs: true }));
      if (!closed && answer.length) socket.write(Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength));
      if (lastReadyStatus(answer) === 'I') release(socket);
    };

    socket.on('data', (data: Buffer) => {
      let frames: Frame[];
      try {
        const r = readFrames(Buffer.concat([buffered, data]), started);
        frames = r.frames;
        buffered = r.rest;
        started = r.started;
      } catch {
        socket.destroy();
        return;
      }
      for (const f of frames) chain = chain.then(() => handle(f)).catch(() => void socket.destroy());
    });
    const cleanup = () => {
      if (closed) return;
      closed = true;
      sockets.delete(socket);
      const i = waiting.findIndex((w) => w.socket === socket);
      if (i >= 0) waiting.splice(i, 1);
      chain = chain.then(async () => {
        if (owner !== socket) return;
        // Whatever the client left half done dies with its connection, as on a real server.
        // exec takes PGlite's query lock itself (runExclusive around it would deadlock).
        if (db.isInTransaction()) await db.exec('ROLLBACK').catch(() => undefined);
        release(socket);
      });
    };
    socket.on('close', cleanup);
    socket.on('error', cleanup);
  };

  const server = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  return {
    host,
    port: (server.address() as AddressInfo).port,
    connections: () => sockets.size,
    async close() {
      const closing = [...sockets].map((s) => new Promise<void>((resolve) => (s.destroyed && !sockets.has(s) ? resolve() : s.once('close', () => resolve()))));
      for (const s of sockets) s.destroy();
      await Promise.all([...closing, new Promise<void>((resolve) => server.close(() => resolve()))]);
    },
  };
}
