import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { addressKey } from './client-address.js';

export interface ConnectionLimits {
  /** Connections open at once. */
  maxConnections: number;
  /** Connections open at once from one client (addressKey). */
  maxPerClient: number;
  /** From connecting to a finished TLS handshake. */
  handshakeTimeoutMs: number;
  /** From a connection being ready, or its last answer, to the next request's headers. */
  headersTimeoutMs: number;
  /** No byte either way while a request is being answered. */
  idleTimeoutMs: number;
}

// A few scrapers need a connection each; these leave most of a 1024-descriptor limit to the log.
export const CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 256,
  maxPerClient: 32,
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
};

interface Connection {
  socket: Socket;
  client: string;
  /** Requests being answered; 0: waiting for a handshake or a request. */
  requests: number;
  deadline: NodeJS.Timeout | undefined;
}

/**
 * The connections of the /metrics server, plain or TLS alike: a deadline for the handshake and for
 * each request's headers (an idle or slow client is closed, not kept), and a cap on connections,
 * in all and per client. A new connection over a cap takes the place of the oldest one still
 * waiting for its handshake or request (from that client, for the client's cap), so a flood of
 * idle connections cannot lock a scraper out; when none waits, the new one is closed.
 */
export class ConnectionGuard {
  // In the order they came: the first waiting one is the oldest.
  private readonly connections = new Set<Connection>();
  private readonly bySocket = new WeakMap<Socket, Connection>();
  private readonly perClient = new Map<string, number>();

  constructor(
    http: HttpServer,
    private readonly limits: ConnectionLimits = CONNECTION_LIMITS,
  ) {
    http.timeout = limits.idleTimeoutMs;
    // Plain connections arrive here first; TLS ones were admitted before, by the TLS listener.
    http.on('connection', (socket: Socket) => {
      if (!this.bySocket.has(socket)) this.admit(socket, 'request');
    });
    http.on('request', (request, response) => {
      const connection = this.bySocket.get(request.socket);
      if (!connection) return;
      connection.requests++;
      this.clearDeadline(connection);
      response.once('close', () => {
        if (--connection.requests === 0 && !connection.socket.destroyed) this.setDeadline(connection, limits.headersTimeoutMs);
      });
    });
  }

  /** Takes a new connection, due to finish its TLS handshake or send its request in time; false when it was closed instead. */
  admit(socket: Socket, first: 'handshake' | 'request'): boolean {
    const client = addressKey(socket.remoteAddress ?? '');
    const over =
      (this.perClient.get(client) ?? 0) >= this.limits.maxPerClient ? 'client' : this.connections.size >= this.limits.maxConnections ? 'all' : undefined;
    if (over) {
      const oldest = this.oldestWaiting(over === 'client' ? client : undefined);
      if (!oldest) {
        socket.destroy();
        return false;
      }
      oldest.socket.destroy();
      this.forget(oldest);
    }
    const connection: Connection = { socket, client, requests: 0, deadline: undefined };
    this.connections.add(connection);
    this.bySocket.set(socket, connection);
    this.perClient.set(client, (this.perClient.get(client) ?? 0) + 1);
    socket.once('close', () => this.forget(connection));
    this.setDeadline(connection, first === 'handshake' ? this.limits.handshakeTimeoutMs : this.limits.headersTimeoutMs);
    return true;
  }

  /** `tls` runs over the admitted `raw`, its handshake done: its first request is due within the headers timeout. */
  secured(raw: Socket, tls: Socket): void {
    const connection = this.bySocket.get(raw);
    if (!connection) return;
    this.bySocket.set(tls, connection);
    this.setDeadline(connection, this.limits.headersTimeoutMs);
  }

  /** Connections open now. */
  get size(): number {
    return this.connections.size;
  }

  destroyAll(): void {
    for (const { socket } of this.connections) socket.destroy();
  }

  private oldestWaiting(client?: string): Connection | undefined {
    for (const connection of this.connections) {
      if (connection.requests === 0 && (client === undefined || connection.client === client)) return connection;
    }
    return undefined;
  }

  private forget(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    this.clearDeadline(connection);
    const left = (this.perClient.get(connection.client) ?? 1) - 1;
    if (left === 0) this.perClient.delete(connection.client);
    else this.perClient.set(connection.client, left);
  }

  private setDeadline(connection: Connection, ms: number): void {
    this.clearDeadline(connection);
    connection.deadline = setTimeout(() => connection.socket.destroy(), ms).unref();
  }

  private clearDeadline(connection: Connection): void {
    clearTimeout(connection.deadline);
    connection.deadline = undefined;
  }
}
