// The sandbox's front door. code-server listens on a Unix socket only you can open (mode 600)
// and has no login of its own; this proxy on 127.0.0.1 forwards a request (HTTP or WebSocket)
// only when
//   - its path starts with /<token>/, a random token printed once in the sandbox's URL, so
//     another local user cannot reach the editor and its terminal, and
//   - its Host header is 127.0.0.1:<port> or localhost:<port>, so a web page that rebinds
//     its own DNS name to 127.0.0.1 is refused even if it learnt the token.
// The prefix is removed before forwarding; code-server builds its URLs relative to the page,
// so the workbench, its web views and its WebSocket all stay under /<token>/.
// (code-server's own password login keeps web views from loading in Chromium here: their
// service worker script is fetched without the session cookie and gets 401.)
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

/** Starts the proxy; resolves to { url, port, token, close() }. */
export async function startTokenProxy({ socket, port = 0 }) {
  const token = randomBytes(18).toString('base64url');
  const prefix = `/${token}`;
  const open = new Set();
  const track = (s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  };
  let listening = 0;

  /** The path to forward, or the HTTP status that refuses the request. */
  const gate = (req) => {
    const host = String(req.headers.host ?? '').toLowerCase();
    if (host !== `127.0.0.1:${listening}` && host !== `localhost:${listening}`) return { status: 421 };
    if (req.url === prefix) return { redirect: `${prefix}/` };
    if (!req.url.startsWith(`${prefix}/`)) return { status: 404 };
    return { path: req.url.slice(prefix.length) };
  };

  const server = http.createServer((req, res) => {
    const g = gate(req);
    if (g.redirect) return void res.writeHead(302, { location: g.redirect }).end();
    if (g.status) return void res.writeHead(g.status, { 'content-type': 'text/plain' }).end(g.status === 421 ? 'wrong host\n' : 'not found\n');
    const upstream = http.request({ socketPath: socket, method: req.method, path: g.path, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  });
  server.on('connection', track);
  server.on('upgrade', (req, client, head) => {
    const g = gate(req);
    if (!g.path) return void client.end(`HTTP/1.1 ${g.status ?? 404} Refused\r\nConnection: close\r\n\r\n`);
    const upstream = net.connect(socket);
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('connect', () => {
      const lines = [`${req.method} ${g.path} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head?.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  listening = server.address().port;
  return {
    port: listening,
    token,
    url: `http://127.0.0.1:${listening}${prefix}/`,
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
