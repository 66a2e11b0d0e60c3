// A TCP proxy a test can cut: stop() drops every connection and refuses new ones, start() lets them
// through again, on the same port (see free-port.ts). Outages are caused for real this way, between the
// service and PostgreSQL or Redis.
import net from 'node:net';
import { listen, listenOnFreePort } from './free-port';

export class TcpProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly upstreams = new Map<net.Socket, net.Socket>();
  private hanging = false;
  /** Bytes the clients have sent through the proxy, so a test can wait for a request to be on its way. */
  bytesFromClients = 0;
  port = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  async start(): Promise<this> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      upstream.on('close', () => this.upstreams.delete(upstream));
      this.upstreams.set(upstream, client);
      client.on('data', (chunk: Buffer) => (this.bytesFromClients += chunk.length));
      client.pipe(upstream);
      if (this.hanging) upstream.resume();
      else upstream.pipe(client);
    });
    if (this.port) await listen(server, this.port);
    else this.port = await listenOnFreePort(server);
    this.server = server;
    return this;
  }

  /** From now on the upstream's answers are dropped, as from a host that stopped answering; reset() ends it. */
  hang(): void {
    this.hanging = true;
    for (const [upstream, client] of this.upstreams) {
      upstream.unpipe(client);
      upstream.resume();
    }
  }

  /** Drops every connection with a TCP reset (ECONNRESET on the other side); new ones are let through. */
  reset(): void {
    this.hanging = false;
    for (const socket of this.sockets) socket.resetAndDestroy();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.hanging = false;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  url(scheme: string, path = ''): string {
    return `${scheme}://127.0.0.1:${this.port}${path}`;
  }
}
