// A free TCP port on loopback for a server a test starts (the OS picks it; the port is released
// again before the server binds it, so a server that fails to bind is retried by its helper).
import { createServer } from 'node:net';

/** A port on 127.0.0.1 that nothing listened on a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once a TCP connection to 127.0.0.1:`port` succeeds, or rejects when `isDead()` says the server exited. */
export async function waitForPort(port: number, isDead: () => string | undefined, timeoutMs = 20_000): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = isDead();
    if (dead !== undefined) throw new Error(dead);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => { socket.destroy(); resolve(false); });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    // Polling a port the server is about to open: a condition, not the passing of time.
    await new Promise((r) => setTimeout(r, 50));
  }
}
