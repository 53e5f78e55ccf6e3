import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Exposition } from './exposition.js';

export interface ListenAddress {
  host: string | undefined;
  port: number;
}

export interface MetricsServer {
  /** Where it listens, e.g. http://127.0.0.1:9464 */
  url: string;
  close(): Promise<void>;
}

/** `HOST:PORT`, `[::1]:PORT` or `:PORT` (every interface). */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535) return undefined;
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}

const ROUTES = new Set(['/metrics', '/healthz']);

/** Serves GET /metrics and GET /healthz; every other path is 404 and every other method 405. */
export async function startMetricsServer(address: ListenAddress, exposition: Exposition): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const reply = (status: number, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (!ROUTES.has(path)) return reply(404, 'not found\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    if (path === '/healthz') return reply(200, 'ok\n');
    exposition.render(Exposition.negotiate(request.headers.accept)).then(
      ({ contentType, body }) => reply(200, body, { 'Content-Type': contentType }),
      () => reply(500, 'metrics could not be collected\n'),
    );
  });
  server.listen(address.port, address.host);
  await once(server, 'listening');
  const { address: host, port, family } = server.address() as AddressInfo;
  return {
    url: `http://${family === 'IPv6' ? `[${host}]` : host}:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
