// Writes a deterministic benchmark corpus and its truth (what a correct counter must report),
// known by construction: each line's codes are chosen here, then written in one of the real
// record shapes (fixtures/shapes.mjs).
import { createWriteStream } from 'node:fs';
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
