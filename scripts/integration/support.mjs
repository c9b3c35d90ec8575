// Shared pieces of `make integration`: running the tap and the consumers, reading Singer output,
// and the report (one line per check: ok, FAIL, skipped or note).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, createReadStream, createWriteStream, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TWO_53 = 2n ** 53n;

export class Report {
  lines = [];
  failed = 0;
  check(what, ok, detail = '') {
    if (!ok) this.failed++;
    this.print(`${ok ? 'ok' : 'FAIL'}: ${what}${!ok && detail ? ` (${detail})` : ''}`);
  }
  skip(what) {
    this.print(`skipped: ${what}`);
  }
  note(what) {
    this.print(`note: ${what}`);
  }
  print(line) {
    this.lines.push(line);
    console.log(line);
  }
  summary() {
    const count = (p) => this.lines.filter((l) => l.startsWith(p)).length;
    return `\n${count('ok:')} ok, ${this.failed} failed, ${count('skipped:')} skipped`;
  }
}

/** Whether an executable of this name is on PATH. */
export function onPath(command) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Runs a program with stdin from a file (or nothing), stdout to a file, stderr appended to a log. */
export async function run(command, args, { stdin, stdout, log, cwd = root, env = process.env }) {
  const input = stdin ? openSync(stdin, 'r') : 'ignore';
  const child = spawn(command, args, { cwd, env, stdio: [input, 'pipe', 'pipe'] });
  if (typeof input === 'number') closeSync(input);
  const out = createWriteStream(stdout);
  const err = createWriteStream(log, { flags: 'a' });
  let stderr = '';
  child.stdout.pipe(out);
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    err.write(chunk);
  });
  const [code] = await once(child, 'close');
  await Promise.all([new Promise((r) => out.end(r)), new Promise((r) => err.end(r))]);
  return { code, stderr };
}

export function runTap(args, stdout, log) {
  return run(process.execPath, [path.join(root, 'dist', 'cli.js'), ...args], { stdout, log, env: { ...process.env, LOG_LEVEL: 'warning' } });
}

/** Every line of a Singer output file, parsed, with its raw text kept for RECORDs holding long digit runs. */
export async function readMessages(file) {
  const messages = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line === '') continue;
    const m = JSON.parse(line);
    if (m.type === 'RECORD' && /\d{16}/.test(line)) m.raw = line;
    messages.push(m);
  }
  return messages;
}

/** Integers above 2^53 in a RECORD's source text, as digit strings (JSON.parse would round them). */
export function bigIntegers(raw) {
  return (raw.match(/(?<![\d.eE"])-?\d{16,}(?![\d.eE])/g) ?? []).filter((d) => (BigInt(d) < 0n ? -BigInt(d) : BigInt(d)) > TWO_53);
}

/** Streams the catalog replicates incrementally (its forced or chosen replication method). */
export function incrementalStreams(catalog) {
  const names = new Set();
  for (const s of catalog.streams) {
    const top = s.metadata.find((m) => m.breadcrumb.length === 0)?.metadata ?? {};
    if ((top['replication-method'] ?? top['forced-replication-method'] ?? s.replication_method) === 'INCREMENTAL') names.add(s.tap_stream_id);
  }
  return names;
}

/**
 * Per stream: key properties, full-table or not (from the catalog: a stream with bookmarks per
 * item, such as cohort_members, names no bookmark property in its SCHEMA), RECORDs with version
 * and position, ACTIVATE_VERSIONs; and the last STATE.
 */
export function summarise(messages, incremental) {
  const streams = new Map();
  let lastState;
  messages.forEach((m, at) => {
    if (m.type === 'STATE') lastState = m.value;
    if (!m.stream) return;
    if (!streams.has(m.stream)) streams.set(m.stream, { keys: [], fullTable: true, records: [], activates: [], firstRecordAt: -1, lastRecordAt: -1 });
    const s = streams.get(m.stream);
    if (m.type === 'SCHEMA') {
      s.keys = m.key_properties;
      s.fullTable = !incremental.has(m.stream);
    } else if (m.type === 'RECORD') {
      s.records.push({ record: m.record, version: m.version, raw: m.raw, at });
      if (s.firstRecordAt < 0) s.firstRecordAt = at;
      s.lastRecordAt = at;
    } else if (m.type === 'ACTIVATE_VERSION') s.activates.push({ version: m.version, at });
  });
  return { streams, lastState };
}

/** The record's key as text (key properties in order). */
export const keyOf = (record, keys) => JSON.stringify(keys.map((k) => record[k]));

/** Distinct keys of a stream's RECORDs over the given outputs. */
export function distinctKeys(name, ...outs) {
  const set = new Set();
  for (const out of outs) {
    const s = out.streams.get(name);
    if (s) for (const r of s.records) set.add(keyOf(r.record, s.keys));
  }
  return set;
}
