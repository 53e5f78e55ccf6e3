import type { Server as HttpServer } from 'node:http';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { Server as TlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import type { ConnectionGuard } from '../connection-guard.js';
import type { TlsSettings } from './config.js';
import { clientRefusal } from './tls.js';

export interface TlsProfile {
  settings: TlsSettings;
  options: TlsOptions;
}

const TLS_HANDSHAKE_RECORD = 0x16;
const PLAIN_HTTP_REPLY =
  'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nThis port serves HTTPS only: use https://\n';

/**
 * A TCP server in front of `http` that speaks TLS. Each connection is taken with the TLS profile
 * in force when it arrives (so a new certificate serves the next connection, with no restart, as
 * exporter-toolkit does), checked against the client-certificate policy once its handshake is
 * done, and only then handed to `http`. A client that speaks plain HTTP gets a 400 and no metrics.
 * `guard` admits each connection and gives it until its handshake is done, as it does plain ones.
 */
export function createTlsListener(current: () => TlsProfile, http: HttpServer, guard: ConnectionGuard): NetServer {
  // The raw connections by their client's address and port, which a TLS socket over one shares.
  const raw = new Map<string, Socket>();
  const endpoint = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;
  // One (never listening) TLS server per profile: connections opened under an older profile keep it.
  const tlsServers = new WeakMap<TlsProfile, TlsServer>();
  const tlsServerFor = (profile: TlsProfile): TlsServer => {
    let server = tlsServers.get(profile);
    if (!server) {
      server = new TlsServer(profile.options);
      server.on('secureConnection', (socket: TLSSocket) => {
        if (clientRefusal(socket, profile.settings) !== undefined) return void socket.destroy();
        const under = raw.get(endpoint(socket));
        if (!under) return void socket.destroy();
        guard.secured(under, socket);
        http.emit('connection', socket);
      });
      tlsServers.set(profile, server);
    }
    return server;
  };

  return createServer((socket) => {
    if (!guard.admit(socket, 'handshake')) return;
    const key = endpoint(socket);
    raw.set(key, socket);
    socket.once('close', () => raw.delete(key));
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      if (first[0] !== TLS_HANDSHAKE_RECORD) return void socket.end(PLAIN_HTTP_REPLY);
      // The TLS socket reads what is buffered first: the handshake starts where it was peeked.
      socket.unshift(first);
      tlsServerFor(current()).emit('connection', socket);
    });
  });
}
