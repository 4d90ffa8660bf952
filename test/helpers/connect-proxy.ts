import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** An HTTP proxy that tunnels (CONNECT), as corporate proxies do, and remembers what it was asked. */
export interface ConnectProxy {
  readonly url: string;
  /** `host:port` of every CONNECT, in order. */
  readonly tunnels: string[];
  /** The Proxy-Authorization header of every CONNECT (undefined when none came). */
  readonly authorizations: Array<string | undefined>;
  close(): Promise<void>;
}

export interface ConnectProxyOptions {
  /** Answer 407 unless this user:password comes as Basic Proxy-Authorization. */
  credentials?: string;
}

/**
 * Every tunnel goes to 127.0.0.1 at the asked port, whatever the host: a test can name a host
 * that does not resolve (`realtime.invalid`), so only a client that went through the proxy
 * gets anywhere.
 */
export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const authorizations: Array<string | undefined> = [];
  const open = new Set<Socket>();
  const server: Server = createServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request, client: Socket, head: Buffer) => {
    tunnels.push(request.url ?? '');
    authorizations.push(request.headers['proxy-authorization']);
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    const expected = options.credentials ? `Basic ${Buffer.from(options.credentials).toString('base64')}` : undefined;
    if (expected && request.headers['proxy-authorization'] !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const port = Number((request.url ?? '').split(':').at(-1));
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    open.add(upstream);
    upstream.on('close', () => { open.delete(upstream); client.destroy(); });
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, tunnels, authorizations,
    close: () => new Promise((resolve) => {
      for (const socket of open) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
