import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionGuard, type ConnectionLimits } from '../../src/metrics/connection-guard.js';

const LIMITS: ConnectionLimits = { maxConnections: 4, maxPerClient: 3, handshakeTimeoutMs: 300, headersTimeoutMs: 300, idleTimeoutMs: 5000 };
const servers: Server[] = [];
const clients: Socket[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
});

/** A plain HTTP server under a guard; `/hold` is answered only when the test releases it. */
async function serve(limits = LIMITS) {
  const held: (() => void)[] = [];
  const http = createServer((request, response) => {
    if (request.url === '/hold') held.push(() => response.end('released\n'));
    else response.end('ok\n');
  });
  const guard = new ConnectionGuard(http, limits);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  servers.push(http);
  return { port: (http.address() as AddressInfo).port, guard, held };
}

interface Client {
  socket: Socket;
  closed: Promise<unknown>;
  received: () => string;
}

/** A raw TCP client from `from` (any 127.x.y.z is this host's loopback). */
async function open(port: number, from = '127.0.0.1'): Promise<Client> {
  const socket = connect({ host: '127.0.0.1', port, localAddress: from });
  clients.push(socket);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => undefined);
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  return { socket, closed, received: () => received };
}

const get = (path = '/metrics') => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

async function answered(client: Client, text: string): Promise<void> {
  while (!client.received().includes(text)) await once(client.socket, 'data');
}

describe('ConnectionGuard', () => {
  it('closes a connection that sends no request, or only part of one, by the headers timeout, however it trickles', async () => {
    const { port } = await serve();
    const silent = await open(port);
    const slow = await open(port);
    slow.socket.write('GET /metrics HTTP/1.1\r\n');
    const trickle = setInterval(() => slow.socket.write('X-Slow: 1\r\n'), 50);
    await Promise.all([silent.closed, slow.closed]);
    clearInterval(trickle);
    expect([silent.received(), slow.received()]).toEqual(['', '']);
  });

  it('answers a request in time; once answered, a kept-alive connection gets the headers timeout again', async () => {
    const { port } = await serve();
    const client = await open(port);
    client.socket.write(get());
    await answered(client, 'ok\n');
    client.socket.write(get());
    await answered(client, 'ok\nHTTP/1.1 200');
    await client.closed;
  });

  it('a request being answered is not timed out', async () => {
    const { port, held } = await serve();
    const client = await open(port);
    client.socket.write(get('/hold'));
    while (held.length === 0) await new Promise((resolve) => setImmediate(resolve));
    // Well past the headers timeout (a sleep, the point of the test): still open, and answered.
    await new Promise((resolve) => setTimeout(resolve, LIMITS.headersTimeoutMs * 3));
    expect(client.socket.destroyed).toBe(false);
    held.shift()!();
    await answered(client, 'released\n');
  });

  it("over the cap per client, a new connection takes the place of that client's oldest waiting one", async () => {
    const { port, guard } = await serve();
    const waiting = [await open(port), await open(port), await open(port)];
    const other = await open(port, '127.0.0.2');
    const newest = await open(port);
    await waiting[0]!.closed;
    newest.socket.write(get());
    await answered(newest, 'ok\n');
    expect([waiting[1]!.socket.destroyed, waiting[2]!.socket.destroyed, other.socket.destroyed]).toEqual([false, false, false]);
    expect(guard.size).toBe(4);
  });

  it('over the cap in all, a new connection takes the place of the oldest waiting one, from any client', async () => {
    const { port, guard } = await serve();
    const first = await open(port, '127.0.0.2');
    const rest = [await open(port, '127.0.0.3'), await open(port, '127.0.0.4'), await open(port, '127.0.0.5')];
    const newest = await open(port, '127.0.0.6');
    await first.closed;
    newest.socket.write(get());
    await answered(newest, 'ok\n');
    expect(rest.map((client) => client.socket.destroyed)).toEqual([false, false, false]);
    expect(guard.size).toBe(4);
  });

  it('when every connection is being answered, a new one is closed at once', async () => {
    const { port, held } = await serve();
    const busy = [await open(port, '127.0.0.2'), await open(port, '127.0.0.3'), await open(port, '127.0.0.4'), await open(port, '127.0.0.5')];
    for (const client of busy) client.socket.write(get('/hold'));
    while (held.length < 4) await new Promise((resolve) => setImmediate(resolve));
    const refused = await open(port, '127.0.0.6');
    await refused.closed;
    expect(refused.received()).toBe('');
    for (const release of held) release();
    await Promise.all(busy.map((client) => answered(client, 'released\n')));
  });
});
