import { once } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { ConnectionGuard } from './connection-guard.js';
import { Exposition } from './exposition.js';
import type { WebConfigSource } from './web-config/source.js';
import type { ListenAddress } from './listen-address.js';

export interface MetricsServer {
  /** Where it listens, e.g. http://127.0.0.1:9464 or https://127.0.0.1:9464 */
  url: string;
  close(): Promise<void>;
}

const ROUTES = new Set(['/metrics', '/healthz']);
const pathOf = (request: IncomingMessage) => (request.url ?? '/').split('?')[0]!;
// A probe needs no password: /healthz tells nothing but that hidlog is up, or why it is not healthy
// (docs/web-config.md).
const isOpen = (request: IncomingMessage) => pathOf(request) === '/healthz';

/**
 * Serves GET /metrics and GET /healthz; every other path is 404 and every other method 405. With a
 * web configuration, over TLS and behind basic authentication as it says. Plain or TLS, its
 * connections are capped and timed out by a ConnectionGuard.
 */
export async function startMetricsServer(address: ListenAddress, exposition: Exposition, web?: WebConfigSource): Promise<MetricsServer> {
  const routes: RequestListener = (request, response) => {
    const path = pathOf(request);
    const reply = (status: number, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (!ROUTES.has(path)) return reply(404, 'not found\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    if (path === '/healthz') {
      const { problem } = exposition;
      return problem === undefined ? reply(200, 'ok\n') : reply(503, `${problem}\n`);
    }
    exposition.render(Exposition.negotiate(request.headers.accept)).then(
      ({ contentType, body }) => reply(200, body, { 'Content-Type': contentType }),
      () => reply(500, 'metrics could not be collected\n'),
    );
  };
  const http: Server = createServer(web ? (await import('./web-config/handler.js')).webHandler(web, routes, isOpen) : routes);
  const guard = new ConnectionGuard(http);
  let listening: NetServer = http;
  if (web?.current.tls) {
    const { createTlsListener } = await import('./web-config/tls-listener.js');
    listening = createTlsListener(() => web.current.tls!, http, guard);
  }
  listening.listen(address.port, address.host);
  await once(listening, 'listening');
  web?.watch();
  const { address: host, port, family } = listening.address() as AddressInfo;
  return {
    url: `${web?.current.tls ? 'https' : 'http'}://${family === 'IPv6' ? `[${host}]` : host}:${port}`,
    close: async () => {
      guard.destroyAll();
      listening.close();
      await Promise.all([once(listening, 'close'), web?.close()]);
    },
  };
}
