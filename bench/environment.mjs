// The environment the benchmarks time commands in. NODE_EXTRA_CA_CERTS makes every Node process
// read and parse the certificates it names before it runs a line of its own (nodejs/node#40524,
// open: with OpenSSL 3 the file is loaded at start, not at the first TLS connection): about 40 ms
// a start on a 2-core machine that names the system bundle, 2% of a one-pass report of the 1M
// corpus and a third of a merge of its partials. hidlog's only TLS client connection is a push to
// a Pushgateway at an https URL, which no benchmark makes; so they time every command without the
// variable, and print what it would add to each start.
import { spawnSync } from 'node:child_process';
import { median } from './alternate.mjs';

const startMs = (env) =>
  median(
    Array.from({ length: 9 }, () => {
      const start = process.hrtime.bigint();
      spawnSync(process.execPath, ['-e', '0'], { env, stdio: 'ignore' });
      return Number(process.hrtime.bigint() - start) / 1e6;
    }),
  );

/** Removes NODE_EXTRA_CA_CERTS from this process's environment (the commands' it starts); a line saying so, or undefined when it was not set. */
export function withoutExtraCaCerts() {
  const named = process.env.NODE_EXTRA_CA_CERTS;
  if (named === undefined) return undefined;
  const withIt = startMs(process.env);
  delete process.env.NODE_EXTRA_CA_CERTS;
  const without = startMs(process.env);
  return `NODE_EXTRA_CA_CERTS (${named}) is unset for the commands timed: Node's start takes ${without.toFixed(0)} ms without it, ${withIt.toFixed(0)} ms with it (bench/environment.mjs).`;
}
