#!/usr/bin/env node
// node bench/metrics-attack.mjs [--hidlog bin/hidlog.js] [--seconds 40] [--rate 1000] [--flood-rate 50] [--scrape-interval 10] [--only NAME]
// /metrics under attack, and what it costs the log (issue 21). hidlog follows a file written at
// --rate lines/s and serves /metrics; for --seconds in each scenario the latency from a line's
// write to hidlog's output is measured (p50, p99), while curl scrapes with the right password
// every --scrape-interval seconds (status, time). Scenarios: quiet; --flood-rate wrong passwords
// a second, each new, from 16 addresses; 1,000 idle TLS connections from 40 addresses; 50 clients
// flooding plain /metrics with ab (no web configuration). The attackers run in child processes.
// Compare builds with --hidlog: a copy of the tree before a change, built, against this one.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { connect as tcpConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: {
    hidlog: { type: 'string', default: join(here, '../bin/hidlog.js') },
    seconds: { type: 'string', default: '40' },
    rate: { type: 'string', default: '1000' },
    // Wrong passwords a second, in all, during the flood.
    'flood-rate': { type: 'string', default: '50' },
    // Seconds between scrapes: the verdict cache must hold the scraper's credentials that long.
    'scrape-interval': { type: 'string', default: '10' },
    // Only the scenarios whose name contains this.
    only: { type: 'string', default: '' },
    // Internal: this script as an attacker in a child process.
    attack: { type: 'string' },
    port: { type: 'string' },
    ca: { type: 'string' },
  },
});
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Runs until killed: 'passwords' (wrong ones, each new) or 'idle' (TLS connections that say nothing). */
async function attack(kind, port, caFile) {
  const ca = readFileSync(caFile);
  if (kind === 'idle') {
    for (let i = 0; i < 1000; i++) {
      const socket = connect({ socket: tcpConnect({ host: '127.0.0.1', port, localAddress: `127.0.2.${(i % 40) + 1}` }), servername: 'localhost', ca });
      socket.on('error', () => undefined);
      if (i % 100 === 99) await sleep(10);
    }
    await new Promise(() => undefined);
  }
  let guess = 0;
  const agents = Array.from({ length: 16 }, (_, a) => new Agent({ keepAlive: true, localAddress: `127.0.1.${a + 1}`, ca }));
  setInterval(() => {
    const agent = agents[guess % agents.length];
    request({ host: '127.0.0.1', port, path: '/metrics', agent, auth: `prometheus:guess-${guess++}` }, (response) => response.resume())
      .on('error', () => undefined)
      .end();
  }, 1000 / Number(opts['flood-rate']));
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

/** Latency of each record from its write (`t`) to hidlog's output, while `measuring`. */
function outputReader(path) {
  const state = { latencies: [], measuring: false };
  let fd;
  let offset = 0;
  let carry = '';
  const buffer = Buffer.alloc(1 << 20);
  const timer = setInterval(() => {
    if (fd === undefined) {
      if (!existsSync(path)) return;
      fd = openSync(path, 'r');
    }
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, offset)) > 0; ) {
      offset += n;
      const parts = (carry + buffer.toString('utf8', 0, n)).split('\n');
      carry = parts.pop();
      const now = performance.timeOrigin + performance.now();
      for (const line of parts) {
        const t = /^\{"n":\d+,"t":([\d.]+)/.exec(line)?.[1];
        if (t && state.measuring) state.latencies.push(now - Number(t));
      }
    }
  }, 5);
  state.close = () => {
    clearInterval(timer);
    if (fd !== undefined) closeSync(fd);
  };
  return state;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

function curl(url, args) {
  return new Promise((done) => {
    const child = spawn('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', '--max-time', '10', ...args, url]);
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('close', () => {
      const [status, seconds] = out.split(' ');
      done({ status, ms: Number(seconds) * 1000 });
    });
  });
}

async function scenario(name, { tls, load }, dir) {
  if (!name.includes(opts.only)) return `| ${name} | not run |`;
  const file = name.replace(/[^a-z0-9]+/gi, '-');
  const log = join(dir, `${file}.log`);
  const out = join(dir, `${file}.out`);
  writeFileSync(log, '');
  const port = await freePort();
  const web = tls ? ['--web-config', join(dir, 'web.yml')] : [];
  const hidlog = spawn(
    process.execPath,
    [resolve(opts.hidlog), 'annotate', '--follow', '--start-at', 'end', '-o', out, '--metrics-listen', `127.0.0.1:${port}`, ...web, log],
    { stdio: 'ignore' },
  );
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}/metrics`;
  const scrapeArgs = tls ? ['--cacert', join(dir, 'ca.crt'), '-u', 'prometheus:scrape-secret'] : [];
  for (let i = 0; i < 100 && (await curl(url, scrapeArgs)).status !== '200'; i++) await sleep(100);
  const reader = outputReader(out);
  const writer = spawn(process.execPath, [join(here, 'log-writer.mjs'), log, opts.rate], { stdio: 'ignore' });
  await sleep(2000);
  const attacker =
    load === 'passwords' || load === 'idle'
      ? spawn(
          process.execPath,
          [fileURLToPath(import.meta.url), '--attack', load, '--port', String(port), '--ca', join(dir, 'ca.crt'), '--flood-rate', opts['flood-rate']],
          { stdio: 'ignore' },
        )
      : undefined;
  const ab =
    load === 'ab'
      ? spawn('ab', ['-q', '-k', '-c', '50', '-t', String(Number(opts.seconds) + 5), '-n', '10000000', url], { stdio: ['ignore', 'pipe', 'ignore'] })
      : undefined;
  const abClosed = ab && once(ab, 'close');
  let abOut = '';
  ab?.stdout.on('data', (chunk) => (abOut += chunk));
  await sleep(2000);
  reader.measuring = true;
  const scrapes = [];
  const until = Date.now() + Number(opts.seconds) * 1000;
  while (Date.now() < until) {
    const started = Date.now();
    scrapes.push(await curl(url, scrapeArgs));
    await sleep(Math.max(0, Number(opts['scrape-interval']) * 1000 - (Date.now() - started)));
  }
  reader.measuring = false;
  attacker?.kill();
  ab?.kill('SIGINT');
  await abClosed;
  writer.kill();
  hidlog.kill();
  await once(hidlog, 'close');
  reader.close();
  const sorted = reader.latencies.sort((a, b) => a - b);
  const ok = scrapes.filter((s) => s.status === '200');
  const worst = Math.max(...scrapes.map((s) => s.ms));
  const abRate = /Requests per second:\s+([\d.]+)/.exec(abOut)?.[1];
  return `| ${name} | ${percentile(sorted, 50).toFixed(0)} | ${percentile(sorted, 99).toFixed(0)} | ${ok.length}/${scrapes.length} | ${[...new Set(scrapes.map((s) => s.status))].join(', ')} | ${worst.toFixed(0)} | ${abRate ?? ''} |`;
}

async function main() {
  for (const tool of ['curl', 'openssl', 'htpasswd', 'ab']) {
    if (spawnSync('which', [tool]).status !== 0) throw new Error(`${tool} is not installed`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'hidlog-bench-attack-'));
  try {
    const run = (args) => spawnSync(args[0], args.slice(1), { cwd: dir, encoding: 'utf8' });
    run([
      'openssl',
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=ca',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
    ]);
    run([
      'openssl',
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
    ]);
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    run([
      'openssl',
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'server.ext',
      '-out',
      'server.crt',
    ]);
    const hash = run(['htpasswd', '-nbBC', '10', '', 'scrape-secret']).stdout.replace(/^:/, '').trim();
    writeFileSync(join(dir, 'web.yml'), `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: ${hash}\n`);
    console.log(
      `${opts.hidlog}: ${opts.rate} lines/s followed; ${opts.seconds} s per scenario; a scrape with the right password every ${opts['scrape-interval']} s; flood ${opts['flood-rate']}/s`,
    );
    console.log('');
    console.log('| scenario | log p50 ms | log p99 ms | scrapes 200 | statuses | worst scrape ms | ab requests/s |');
    console.log('|---|---|---|---|---|---|---|');
    console.log(await scenario('quiet, TLS + basic auth', { tls: true }, dir));
    console.log(await scenario(`wrong-password flood, ${opts['flood-rate']}/s`, { tls: true, load: 'passwords' }, dir));
    console.log(await scenario('1,000 idle TLS connections', { tls: true, load: 'idle' }, dir));
    console.log(await scenario('quiet, plain', { tls: false }, dir));
    console.log(await scenario('ab -c 50 on plain /metrics', { tls: false, load: 'ab' }, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (opts.attack) await attack(opts.attack, Number(opts.port), opts.ca);
else await main();
