import type { Server as HttpServer } from 'node:http';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { Server as TlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import type { TlsSettings } from './config.js';
import { clientRefusal } from './tls.js';

export interface TlsProfile {
  settings: TlsSettings;
  options: TlsOptions;
}

const TLS_HANDSHAKE_RECORD = 0x16;
// A client that connects and sends nothing is dropped after this long.
const FIRST_BYTE_TIMEOUT_MS = 10_000;
const PLAIN_HTTP_REPLY = 'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nThis port serves HTTPS only: use https://\n';

export interface TlsListener {
  server: NetServer;
  /** Ends every connection, finished handshake or not. */
  destroyAll(): void;
}

/**
 * A TCP server in front of `http` that speaks TLS. Each connection is taken with the TLS profile
 * in force when it arrives (so a new certificate serves the next connection, with no restart, as
 * exporter-toolkit does), checked against the client-certificate policy once its handshake is
 * done, and only then handed to `http`. A client that speaks plain HTTP gets a 400 and no metrics.
 */
export function createTlsListener(current: () => TlsProfile, http: HttpServer): TlsListener {
  const sockets = new Set<Socket | TLSSocket>();
  const track = (socket: Socket | TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  // One (never listening) TLS server per profile: connections opened under an older profile keep it.
  const tlsServers = new WeakMap<TlsProfile, TlsServer>();
  const tlsServerFor = (profile: TlsProfile): TlsServer => {
    let server = tlsServers.get(profile);
    if (!server) {
      server = new TlsServer(profile.options);
      server.on('secureConnection', (socket: TLSSocket) => {
        track(socket);
        if (clientRefusal(socket, profile.settings) !== undefined) return void socket.destroy();
        http.emit('connection', socket);
      });
      tlsServers.set(profile, server);
    }
    return server;
  };

  const server = createServer((socket) => {
    track(socket);
    socket.on('error', () => socket.destroy());
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.setTimeout(0);
      if (first[0] !== TLS_HANDSHAKE_RECORD) return void socket.end(PLAIN_HTTP_REPLY);
      // The TLS socket reads what is buffered first: the handshake starts where it was peeked.
      socket.unshift(first);
      tlsServerFor(current()).emit('connection', socket);
    });
  });
  return {
    server,
    destroyAll: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}
