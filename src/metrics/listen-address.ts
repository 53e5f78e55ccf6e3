// Parsed on its own, so that the command line checks --metrics-listen without loading the server.
export interface ListenAddress {
  host: string | undefined;
  port: number;
}

/** `HOST:PORT`, `[::1]:PORT` or `:PORT` (every interface). */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535) return undefined;
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}
