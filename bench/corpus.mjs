// Writes a deterministic benchmark corpus and its truth (what a correct counter must report),
// known by construction: each line's codes are chosen here, then written in one of the real
// record shapes (fixtures/shapes.mjs).
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { AUDIT_SHAPES, SCIM_SHAPES, SHAPES, random } from '../fixtures/shapes.mjs';

const SHAPE_LIST = Object.values(SHAPES);
const USER_AGENTS = ['HID%20Approve/5.4.0 CFNetwork/1568.200.51 Darwin/24.1.0', 'okhttp/4.12.0', 'Apache-HttpClient/5.3.1 (Java/17.0.13)', 'curl/8.5.0'];

/** What gateways and services put around every record: a request id and the client. */
function context(rnd, i) {
  const hex = (n) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
  return `"request_id":"${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}","user_agent":"${USER_AGENTS[i % USER_AGENTS.length]}",`;
}
const SCIM_LIST = Object.values(SCIM_SHAPES);

/** @param {{ lines: number, path: string, catalog: { kind: string, code: number }[] }} options */
export async function writeCorpus({ lines, path, catalog }) {
  const codesOf = (kind) => catalog.filter((e) => e.kind === kind).map((e) => e.code);
  const errors = codesOf('error');
  const failures = codesOf('failure');
  const rnd = random(20261128);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const truth = {
    lines,
    results: { annotated: 0, no_codes: 0, invalid: 0, too_long: 0 },
    codes: { http: {}, error: {}, failure: {}, response: {} },
  };
  const add = (kind, code) => (truth.codes[kind][code] = (truth.codes[kind][code] ?? 0) + 1);
  const out = createWriteStream(path);
  let buffer = '';
  for (let i = 0; i < lines; i++) {
    const r = rnd();
    let line;
    let codes;
    if (r < 0.01) {
      // A bad line, with no code in it (so regex counters and JSON counters agree on the truth).
      line = i % 2 === 0 ? `{"time":"2026-11-28T09:00:00Z","msg":"truncated by the logg` : 'Exception in thread "main" java.lang.OutOfMemoryError';
      truth.results.invalid++;
    } else if (r < 0.02) {
      line = `{${context(rnd, i)}"time":"2026-11-28T09:00:00Z","level":"info","msg":"health check ok"}`;
      truth.results.no_codes++;
    } else {
      if (r < 0.5) codes = { http: pick([200, 200, 200, 201, 204, 302]) };
      else if (r < 0.7) codes = { http: pick([400, 401]), failure: pick(failures) };
      else if (r < 0.82) codes = { http: pick([400, 403, 404, 409, 500, 503]), error: pick(errors) };
      else if (r < 0.88) codes = { http: pick([400, 404, 409]), error: pick(errors), scim: true };
      else if (r < 0.94) codes = { response: 1 };
      else codes = { response: 2, failure: pick(failures) };
      const shape = codes.scim ? pick(SCIM_LIST) : codes.response !== undefined ? AUDIT_SHAPES.audit : SHAPE_LIST[i % SHAPE_LIST.length];
      delete codes.scim;
      line = shape(codes, i);
      line = `{${context(rnd, i)}${line.slice(1)}`;
      truth.results.annotated++;
      for (const kind of ['http', 'error', 'failure', 'response']) if (codes[kind] !== undefined) add(kind, codes[kind]);
    }
    buffer += line + '\n';
    if (buffer.length >= 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return truth;
}

// What container runtimes write around a line: containerd's CRI log (`TIME STREAM P|F MESSAGE`)
// and Docker's json-file driver (`{"log":…,"stream":…,"time":…}`). Both cut a message longer than
// 16 KiB into parts: CRI's are tagged P up to the last, F; Docker's lack the trailing "\n" in `log`.
const PART_BYTES = 16 * 1024;

/** Go's time.RFC3339Nano: nanoseconds with the trailing zeros cut, the dot too when none are left. */
function rfc3339Nano(nanoseconds) {
  const seconds = nanoseconds / 1_000_000_000n;
  const fraction = String(nanoseconds % 1_000_000_000n)
    .padStart(9, '0')
    .replace(/0+$/, '');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/** Go's encoding/json, as Docker's driver writes `log`: JSON with <, > and & escaped for HTML. */
const goJsonString = (text) => JSON.stringify(text).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);

/** A record read as latin1 (one char a byte) cut where the runtime cuts it: every 16 KiB of bytes. */
function partsOf(record) {
  if (record.length <= PART_BYTES) return [record];
  const parts = [];
  for (let at = 0; at < record.length; at += PART_BYTES) parts.push(record.slice(at, at + PART_BYTES));
  return parts;
}

/**
 * Writes the NDJSON corpus at `source` again, each record wrapped as a container runtime logs it,
 * to `cri` and `docker`; returns, for each, its lines and the partial lines in it (joined into the
 * line after them by a reader), and how its records' results differ from the corpus's truth:
 * a Docker entry is a JSON object even when its `log` is not, so the corpus's invalid lines are,
 * wrapped by Docker, records without codes.
 * @param {{ source: string, cri: string, docker: string, truth: { results: Record<string, number> } }} options
 */
export async function wrapCorpus({ source, cri, docker, truth }) {
  const rnd = random(20261207);
  const outputs = { cri: createWriteStream(cri, { encoding: 'latin1' }), docker: createWriteStream(docker, { encoding: 'latin1' }) };
  const buffers = { cri: '', docker: '' };
  const stats = {
    cri: { lines: 0, partials: 0, results: { ...truth.results } },
    docker: { lines: 0, partials: 0, results: { ...truth.results, no_codes: truth.results.no_codes + truth.results.invalid, invalid: 0 } },
  };
  let clock = BigInt(Date.UTC(2026, 10, 28, 9, 0, 0)) * 1_000_000n;
  const wrap = (record) => {
    // About a thousand lines a second, each at its own nanosecond, as a busy service logs.
    clock += BigInt(1 + Math.floor(rnd() * 2_000_000));
    const time = rfc3339Nano(clock);
    const parts = partsOf(record);
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      buffers.cri += `${time} stdout ${last ? 'F' : 'P'} ${part}\n`;
      buffers.docker += `{"log":${goJsonString(last ? `${part}\n` : part)},"stream":"stdout","time":"${time}"}\n`;
    });
    for (const format of ['cri', 'docker']) {
      stats[format].lines += parts.length;
      stats[format].partials += parts.length - 1;
    }
  };
  const flush = async () => {
    for (const format of ['cri', 'docker']) {
      if (!outputs[format].write(buffers[format])) await once(outputs[format], 'drain');
      buffers[format] = '';
    }
  };
  let carry = '';
  for await (const chunk of createReadStream(source, { encoding: 'latin1', highWaterMark: 1 << 20 })) {
    const text = carry + chunk;
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      wrap(text.slice(start, newline));
      start = newline + 1;
    }
    carry = text.slice(start);
    await flush();
  }
  if (carry) wrap(carry);
  await flush();
  for (const output of Object.values(outputs)) {
    output.end();
    await once(output, 'finish');
  }
  return stats;
}
