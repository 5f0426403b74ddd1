import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  /** host:port to connect to instead of the target. */
  address: string;
  port: number;
  /** The network fails: open connections are reset and new ones refused, until `restore`. */
  cut(): void;
  restore(): void;
  /** From now on every byte from the target reaches the client `ms` later (a slow network, or a busy peer). */
  delayReplies(ms: number): void;
  close(): Promise<void>;
}

/** A loopback TCP proxy to `targetPort` that a test can cut, to play an outage of a real service. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let down = false;
  let replyDelayMs = 0;
  const server = createServer((client) => {
    if (down) return void client.resetAndDestroy();
    const upstream = connect(targetPort, '127.0.0.1');
    open.add(client).add(upstream);
    const end = () => {
      for (const socket of [client, upstream]) {
        open.delete(socket);
        if (!socket.destroyed) socket.resetAndDestroy();
      }
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    // Every chunk waits the same delay, so timers fire, and bytes arrive, in order.
    upstream.on('data', (chunk: Buffer) => {
      if (replyDelayMs === 0) return void client.write(chunk);
      setTimeout(() => {
        if (!client.destroyed) client.write(chunk);
      }, replyDelayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    port,
    cut: () => {
      down = true;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    restore: () => {
      down = false;
    },
    delayReplies: (ms) => {
      replyDelayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
