import { connect } from 'node:net';

/**
 * Opens a TCP connection to `host:port` and closes it at once: resolves when it connected,
 * rejects with the connection's error, or after `timeoutMs` without a connection. The check of a
 * tcpSocket probe, a load balancer's health check, a load's wait for its target.
 */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => socket.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    socket.once('error', reject);
  });
}

/** Whether a TCP connection to `host:port` opens within `timeoutMs` (tcpConnect, as a yes or no). */
export function tcpConnects(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return tcpConnect(host, port, timeoutMs).then(
    () => true,
    () => false,
  );
}
