/**
 * A minimal HTTP CONNECT proxy on 127.0.0.1:0, recording which host:port each tunnel was
 * opened to. Enough to show that a profile proxy is used and that TLS is still verified
 * end to end through the tunnel.
 */
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';

export class ConnectProxy {
  readonly tunnels: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: http.Server, readonly url: string) {}

  static async start(): Promise<ConnectProxy> {
    const server = http.createServer((_req, res) => {
      res.writeHead(405).end('CONNECT only');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new ConnectProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connect', (req, client: Socket) => proxy.tunnel(req, client));
    return proxy;
  }

  private tunnel(req: http.IncomingMessage, client: Socket): void {
    const target = req.url ?? '';
    this.tunnels.push(target);
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
