import type { Server } from 'node:http';

/**
 * Graceful stop: take no new connections, close idle keep-alive ones, let requests in flight
 * finish, and after `graceMs` cut whatever is still open (a stuck client must not block shutdown).
 */
export function closeServer(server: Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
