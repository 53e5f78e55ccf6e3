import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { RETRY_AFTER_SECONDS } from './failure-limiter.js';
import type { LoadedWebConfig } from './source.js';

function refuse(response: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  response.end(body);
}

/**
 * Wraps `inner` with the configuration in force at each request: its response headers on every
 * answer, and its basic_auth_users before anything but the paths `isOpen` lets through. Wrong or
 * missing credentials: 401 with `WWW-Authenticate: Basic`, as exporter-toolkit answers. A client
 * whose password checks fail too often, or one that finds too many checks waiting, gets 429 with
 * `Retry-After` (credentials already checked are answered all the same).
 */
export function webHandler(web: { readonly current: LoadedWebConfig }, inner: RequestListener, isOpen: (request: IncomingMessage) => boolean): RequestListener {
  return (request, response) => {
    const { config, auth } = web.current;
    for (const [name, value] of config.headers) response.setHeader(name, value);
    if (!auth || isOpen(request)) return void inner(request, response);
    auth.check(request.headers.authorization, request.socket.remoteAddress).then(
      (verdict) => {
        if (verdict === 'allowed') return void inner(request, response);
        if (verdict === 'busy') return refuse(response, 429, 'Too Many Requests\n', { 'Retry-After': '1' });
        if (verdict === 'throttled') return refuse(response, 429, 'Too Many Requests\n', { 'Retry-After': String(RETRY_AFTER_SECONDS) });
        refuse(response, 401, 'Unauthorized\n', { 'WWW-Authenticate': 'Basic' });
      },
      () => refuse(response, 500, 'Internal Server Error\n', {}),
    );
  };
}
