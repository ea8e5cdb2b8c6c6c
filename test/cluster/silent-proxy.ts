import { createServer, connect, type Server, type Socket } from 'node:net';

/** A TCP proxy to a store that can go silent: it keeps the sockets open and forwards nothing. */
export interface SilentProxy {
  /** `target` with the proxy's host and port (credentials, path and query kept). */
  url: string;
  /** From now on nothing is forwarded either way, and no socket is closed (a partition). */
  silence(): void;
  /** From now on requests still reach the store but its replies are dropped (a reply lost). */
  deafen(): void;
  /** Destroys every socket and stops listening. */
  close(): Promise<void>;
}

/** A proxy to the server of `target` (a redis:// or postgres:// URL), on a free local port. */
export async function silentProxy(target: string): Promise<SilentProxy> {
  const { hostname, port, protocol } = new URL(target);
  const upstreamPort = Number(port || (protocol.startsWith('redis') ? 6379 : 5432));
  const sockets: Socket[] = [];
  let silent = false;
  let deaf = false;
  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, hostname);
    sockets.push(client, upstream);
    client.on('data', (data) => void (silent || upstream.write(data)));
    upstream.on('data', (data) => void (silent || deaf || client.write(data)));
    for (const socket of [client, upstream]) socket.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.toString(),
    silence: () => void (silent = true),
    deafen: () => void (deaf = true),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a promise did within `ms`: 'resolved', 'rejected: <name>', or 'pending'. */
export async function within(promise: Promise<unknown>, ms: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    promise.then(
      () => 'resolved',
      (error: Error) => `rejected: ${error.name}`,
    ),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve('pending'), ms))),
  ]);
  clearTimeout(timer);
  return outcome;
}
