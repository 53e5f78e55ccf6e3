import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, startDaemon, stopDaemon, waitFor } from './tools.js';

/** Debian's binary of the Alertmanager (package prometheus-alertmanager). */
export const ALERTMANAGER = 'prometheus-alertmanager';

/** A real Alertmanager on 127.0.0.1, alone (no cluster port), its config and storage in `dir`. */
export class Alertmanager {
  private constructor(
    readonly address: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(dir: string, config: object): Promise<Alertmanager> {
    const address = `127.0.0.1:${await freePort()}`;
    const file = join(dir, 'alertmanager.yml');
    writeFileSync(file, stringify(config));
    // An empty cluster address turns the gossip off: nothing listens on the shared 9094.
    const child = startDaemon(ALERTMANAGER, [
      `--config.file=${file}`,
      `--storage.path=${join(dir, 'alertmanager')}`,
      `--web.listen-address=${address}`,
      '--cluster.listen-address=',
    ]);
    const server = new Alertmanager(address, child);
    await waitFor('the Alertmanager', async () => ((await fetch(`http://${address}/-/ready`)).ok ? true : undefined));
    return server;
  }

  /** The value of one of its own metrics (summed over its series), 0 when absent. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await (await fetch(`http://${this.address}/metrics`)).text();
    let sum = 0;
    for (const [, labelText, value] of text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm'))) {
      if (Object.entries(labels).every(([label, wanted]) => (labelText ?? '').includes(`${label}="${wanted}"`))) sum += Number(value);
    }
    return sum;
  }

  stop(): Promise<void> {
    return stopDaemon(this.child);
  }
}

/** The body of an Alertmanager webhook notification (version 4). */
export interface Notification {
  receiver: string;
  status: 'firing' | 'resolved';
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

/** An HTTP server on 127.0.0.1 that keeps every notification POSTed to it, by path. */
export class WebhookReceiver {
  private constructor(
    readonly url: string,
    readonly received: { path: string; notification: Notification }[],
    private readonly server: Server,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    const received: { path: string; notification: Notification }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ path: request.url ?? '', notification: JSON.parse(body) as Notification });
        response.end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    return new WebhookReceiver(`http://127.0.0.1:${port}`, received, server);
  }

  async stop(): Promise<void> {
    this.server.close();
    await once(this.server, 'close');
  }
}
