import net from 'node:net';

// Ports are picked below the ephemeral range (32768 and up on Linux, 49152 and up elsewhere). A port the
// system hands out for listen(0) is also handed out to outgoing connections: while a proxy is stopped or
// a process restarts, one could take it, and listening on it again would fail with EADDRINUSE.
const PORTS = { from: 20_000, to: 32_000 };

/** A port free on the loopback interface right now, for a child process to listen on. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await listenOnFreePort(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Listens on a free port of the loopback interface, outside the ephemeral range, and returns it. */
export async function listenOnFreePort(server: net.Server): Promise<number> {
  for (;;) {
    const port = PORTS.from + Math.floor(Math.random() * (PORTS.to - PORTS.from));
    try {
      await listen(server, port);
      return port;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
}

export function listen(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
