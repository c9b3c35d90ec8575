// The events stream end to end: the built CLI against the simulator's Export API (and against the
// real recorded archive), records compared with the ground truth. Expected record texts are made
// here from the raw export lines by rewriting the 7 timestamps with a regular expression,
// independently of the tap's code.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseMessages, runCli, tempDir, writeJson, type SingerMessage } from '../helpers/cli.js';
import { fixture } from '../helpers/paths.js';
import { buildZip } from '../unit/support/zip-writer.js';
import { createSimulator, writeExportArchive, type Simulator, type SimulatorOptions } from '../simulator/server.js';

const addFormats = addFormatsModule.default;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const EXPORT_PATH = '/api/2/export';

// A fixed range of data, three days and five hours, long before now − lag (the recorded fixtures
// are from 2026-06-16): the simulated events are the same on every run, whatever the date.
const DATA_START_MS = Date.parse('2026-06-20T00:00:00Z');
const DATA_END_MS = Date.parse('2026-06-23T05:30:00Z');
const PAST_DATA: SimulatorOptions = {
  seed: 7,
  dataStart: new Date(DATA_START_MS).toISOString(),
  dataEnd: new Date(DATA_END_MS).toISOString(),
  eventsPerHour: 20,
  maxMembersPerHour: 3,
};

// Hours as epoch milliseconds; keys as the Export API writes them.
const hourKey = (ms: number): string => {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}`;
};
const hourOf = (key: string): number => Date.parse(`${key.slice(0, 4)}-${key.slice(4, 6)}-${key.slice(6, 8)}T${key.slice(9, 11)}:00:00Z`);
const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
/** Upload hour H is exportable once now >= H + 1 h + lag. */
const lastExportable = (atMs: number, lagHours: number): number => (Math.floor(atMs / HOUR_MS) - 1 - lagHours) * HOUR_MS;

interface Window {
  start: string;
  end: string;
}

/** Consecutive windows of `size` hours from `first` to `last` (hours as ms, both inclusive). */
function windows(first: number, last: number, size: number): Window[] {
  const out: Window[] = [];
  for (let s = first; s <= last; s += size * HOUR_MS) out.push({ start: hourKey(s), end: hourKey(Math.min(s + (size - 1) * HOUR_MS, last)) });
  return out;
}

const TIMESTAMP_MEMBER =
  /"(client_event_time|client_upload_time|event_time|processed_time|server_received_time|server_upload_time|user_creation_time)":(?:"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)"|"")/g;

/** The record text expected for a raw export line: the 7 timestamps in RFC 3339 UTC, "" → null. */
const expectedRecordText = (line: string): string =>
  line.replace(TIMESTAMP_MEMBER, (_all, key: string, date?: string, time?: string) => (date ? `"${key}":"${date}T${time}Z"` : `"${key}":null`));

const RECORD_LINE = /^\{"type":"RECORD","stream":"events","record":(.*),"time_extracted":"[^"]*"\}$/;
/**
 * The record text with the writer's ASCII escapes (\uXXXX for each code unit from U+0080, as
 * singer-python writes; tests/unit/writer.test.ts checks them) turned back into characters, so that
 * it compares with JSON.stringify of the truth.
 */
const fromAsciiEscapes = (text: string): string =>
  text.replace(/(\\+)u([0-9a-f]{4})/g, (all, slashes: string, hex: string) =>
    slashes.length % 2 === 1 && parseInt(hex, 16) >= 0x80 ? slashes.slice(1) + String.fromCharCode(parseInt(hex, 16)) : all,
  );

interface Run {
  code: number | null;
  stderr: string;
  lines: string[];
  messages: SingerMessage[];
  /** The events records as the exact JSON text on stdout. */
  texts: string[];
  uuids: string[];
  /** The events bookmark of every STATE, in order. */
  bookmarks: (string | undefined)[];
}

interface CatalogJson {
  streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[];
}
let eventsOnlyCatalog: CatalogJson;
const sims: Simulator[] = [];
const servers: http.Server[] = [];

async function simulator(opts: SimulatorOptions = PAST_DATA): Promise<Simulator> {
  const sim = await createSimulator(opts);
  sims.push(sim);
  return sim;
}

async function runTap(apiUrl: string, config: Record<string, unknown>, opts: { state?: unknown; tz?: string; catalog?: unknown } = {}): Promise<Run> {
  const dir = tempDir();
  const args = [
    '--config',
    writeJson(dir, 'config.json', { api_key: 'demo-api-key', secret_key: 'demo-secret-key', api_url: apiUrl, ...config }),
    '--catalog',
    writeJson(dir, 'catalog.json', opts.catalog ?? eventsOnlyCatalog),
  ];
  if (opts.state !== undefined) args.push('--state', writeJson(dir, 'state.json', opts.state));
  const result = await runCli(args, { timeoutMs: 30_000, env: { TZ: opts.tz ?? 'America/New_York' } });
  const messages = parseMessages(result.stdout);
  const texts: string[] = [];
  for (const line of result.stdout.split('\n')) {
    const m = RECORD_LINE.exec(line);
    if (m) texts.push(fromAsciiEscapes(m[1] as string));
  }
  const run: Run = {
    code: result.code,
    stderr: result.stderr,
    lines: result.stderr.split('\n').filter((l) => l.length > 0),
    messages,
    texts,
    uuids: messages.filter((m) => m.type === 'RECORD').map((m) => m.record?.uuid as string),
    bookmarks: messages
      .filter((m) => m.type === 'STATE')
      .map((m) => (m.value as { bookmarks: Record<string, { server_upload_time?: string }> }).bookmarks.events?.server_upload_time),
  };
  expectValidRecords(run);
  return run;
}

/**
 * Export requests in plan order: windows download side by side, so arrival order is a scheduling
 * accident. Sorted by start, then longest first (a split window before its halves: the order the
 * windows are written in); repeats of one window stay in arrival order.
 */
const exportRequests = (sim: Simulator) =>
  sim.requests
    .filter((r) => r.path === EXPORT_PATH)
    .sort((a, b) => String(a.query.start).localeCompare(String(b.query.start)) || String(b.query.end).localeCompare(String(a.query.end)));
const windowsAsked = (sim: Simulator): Window[] => exportRequests(sim).map((r) => ({ start: r.query.start as string, end: r.query.end as string }));
const sorted = (xs: string[]): string[] => [...xs].sort();

/** Every RECORD is valid against the stream's SCHEMA message, formats checked (date-time...); the last message is a STATE. */
function expectValidRecords(run: Run): void {
  const schema = run.messages.find((m) => m.type === 'SCHEMA' && m.stream === 'events')?.schema;
  expect(schema).toBeDefined();
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  addFormats(ajv);
  const validate: ValidateFunction = ajv.compile(schema as object);
  const invalid = run.messages.filter((m) => m.type === 'RECORD' && !validate(m.record)).map((m) => [m.record?.uuid, validate.errors]);
  expect(invalid).toEqual([]);
  expect(run.messages[run.messages.length - 1]?.type).toBe('STATE');
}

interface CentralEntry {
  name: string;
  method: number;
}

const DESCRIPTOR_SIGNATURE = Buffer.from([0x50, 0x4b, 0x07, 0x08]);

function occurrences(haystack: Buffer, needle: Buffer): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) n++;
  return n;
}

/** The central directory of a zip, read here from its documented layout (APPNOTE 4.3.12, 4.3.16). */
function centralDirectory(zip: Buffer): CentralEntry[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: CentralEntry[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    entries.push({ name: zip.toString('utf8', at + 46, at + 46 + nameLength), method: zip.readUInt16LE(at + 10) });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

beforeAll(async () => {
  const result = await runCli(['--config', writeJson(tempDir(), 'config.json', { start_date: '2026-01-01' }), '--discover']);
  expect(result.code).toBe(0);
  const catalog = JSON.parse(result.stdout) as CatalogJson;
  for (const s of catalog.streams) for (const m of s.metadata) if (m.breadcrumb.length === 0) m.metadata.selected = s.tap_stream_id === 'events';
  eventsOnlyCatalog = catalog;
});

afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('events stream against the simulator', () => {
  it('emits exactly the truth, timestamps normalised, over days with empty hours and mixed archive members, in 24-hour windows', async () => {
    const sim = await simulator();
    const first = DATA_START_MS - 3 * HOUR_MS;
    const last = Date.parse('2026-06-24T12:00:00Z'); // the windows after the data answer 404 and are no error
    const run = await runTap(sim.url, { start_date: rfc3339(first), end_date: '2026-06-24T12:30:00Z' });
    expect(run.lines.filter((l) => /^(ERROR|WARNING|CRITICAL)/.test(l))).toEqual([]);
    expect(run.code).toBe(0);

    // Windows: 24 hours each (end inclusive), consecutive, from start_date to end_date's hour.
    const asked = windowsAsked(sim);
    expect(asked).toEqual(windows(first, last, 24));
    expect(asked[0]).toEqual({ start: '20260619T21', end: '20260620T20' });
    expect(exportRequests(sim).map((r) => r.status)).toEqual(asked.map((w) => (sim.truth.events(w.start, w.end).length > 0 ? 200 : 404)));
    expect(exportRequests(sim).filter((r) => r.status === 404).length).toBeGreaterThan(0);

    // The records: exactly the truth's lines, in serving order, as exact JSON text.
    const raw = sim.truth.rawEventLines(hourKey(first), hourKey(last));
    expect(run.texts).toEqual(raw.map(expectedRecordText));
    const truthUuids = sim.truth.events(hourKey(first), hourKey(last)).map((e) => e.uuid as string);
    expect(sorted(run.uuids)).toEqual(sorted(truthUuids));
    expect(new Set(run.uuids).size).toBe(run.uuids.length);

    // The data covers what the claims above rely on.
    const hourCounts: number[] = [];
    for (let h = DATA_START_MS; h < DATA_END_MS - HOUR_MS; h += HOUR_MS) hourCounts.push(sim.truth.events(hourKey(h), hourKey(h)).length);
    expect(hourCounts.filter((n) => n === 0).length).toBeGreaterThan(0); // empty hours inside the range
    expect(raw.length).toBeGreaterThan(1000);
    const bigInteger = raw.map((l) => /"external_ref":(\d{16,})/.exec(l)?.[1]).find((n) => n !== undefined && BigInt(n) > 2n ** 53n);
    expect(bigInteger).toBeDefined();
    expect(run.texts.some((t) => t.includes(`"external_ref":${bigInteger}`))).toBe(true);
    expect(raw.some((l) => l.includes('"user_creation_time":""'))).toBe(true);
    expect(run.texts.some((t) => /"server_upload_time":"[^"]*\.\d{3}[1-9]\d{0,2}Z"/.test(t))).toBe(true); // real microseconds kept
    expect(run.texts.every((t) => !/_time":"\d{4}-\d{2}-\d{2} /.test(t))).toBe(true);

    // The archives served held several members per hour, STORED and DEFLATED, and forged CRCs.
    const entries: CentralEntry[] = [];
    let falseSignatures = 0;
    const dir = tempDir();
    for (const w of asked.filter((_, i) => exportRequests(sim)[i]!.status === 200)) {
      const file = path.join(dir, `${w.start}.zip`);
      await writeExportArchive(PAST_DATA, w.start, w.end, file);
      const zip = readFileSync(file);
      const archiveEntries = centralDirectory(zip);
      entries.push(...archiveEntries);
      // One data descriptor per entry carries PK\x07\x08; any other occurrence sits inside member data.
      falseSignatures += occurrences(zip, DESCRIPTOR_SIGNATURE) - archiveEntries.length;
    }
    expect(new Set(entries.map((e) => e.method))).toEqual(new Set([0, 8]));
    expect(entries.some((e) => e.name.endsWith('#2.json.gz'))).toBe(true);
    expect(falseSignatures).toBeGreaterThan(0);

    // A STATE after every window, the bookmark just after it; the last message is that STATE.
    const afterEach = asked.map((w) => rfc3339(hourOf(w.end) + HOUR_MS));
    expect(run.bookmarks.filter((b, i) => b !== undefined && b !== run.bookmarks[i - 1])).toEqual(afterEach);
    expect(run.bookmarks[run.bookmarks.length - 1]).toBe(rfc3339(last + HOUR_MS));
  });

  it('respects end_date; a resume from a mid-run STATE starts at its hour: no gap, no duplicate', async () => {
    const sim = await simulator();
    const first = DATA_START_MS + 5 * HOUR_MS;
    const endDate = DATA_START_MS + DAY_MS + 19 * HOUR_MS + 30 * 60_000; // exclusive: the last hour is T19
    const last = DATA_START_MS + DAY_MS + 19 * HOUR_MS;
    const config = { start_date: rfc3339(first), end_date: rfc3339(endDate), events_window_hours: 7 };
    const run1 = await runTap(sim.url, config, { tz: 'Asia/Kathmandu' });
    expect(run1.code).toBe(0);
    const planned = windows(first, last, 7);
    expect(planned).toHaveLength(6);
    expect(windowsAsked(sim)).toEqual(planned);
    const truthLines = sim.truth.rawEventLines(hourKey(first), hourKey(last)).map(expectedRecordText);
    expect(run1.texts).toEqual(truthLines);

    // Crash after the third window: keep what was written up to its STATE, resume from it.
    const statesAt = run1.messages.flatMap((m, i) => (m.type === 'STATE' ? [i] : []));
    expect(statesAt).toHaveLength(planned.length + 1); // one per window, then the final one
    const cut = statesAt[2] as number;
    const state = run1.messages[cut]?.value as { bookmarks: { events: { server_upload_time: string } } };
    const resumeAt = hourOf(planned[3]!.start);
    expect(state.bookmarks.events.server_upload_time).toBe(rfc3339(resumeAt));
    const kept = run1.messages.slice(0, cut).filter((m) => m.type === 'RECORD').length;

    sim.requests.length = 0;
    const run2 = await runTap(sim.url, config, { state, tz: 'Pacific/Chatham' });
    expect(run2.code).toBe(0);
    expect(windowsAsked(sim)).toEqual(planned.slice(3));
    const union = [...run1.texts.slice(0, kept), ...run2.texts];
    expect(union).toEqual(truthLines);
    const uuids = [...run1.uuids.slice(0, kept), ...run2.uuids];
    expect(new Set(uuids).size).toBe(uuids.length);
    expect(run2.bookmarks[run2.bookmarks.length - 1]).toBe(rfc3339(last + HOUR_MS));
  });

  it('splits a window answered 504 or 400 (too large) into halves down to single hours: every record once, a STATE after each piece', async () => {
    const first = DATA_START_MS + DAY_MS;
    const last = first + 15 * HOUR_MS;
    // The limit is the largest single hour: every hour fits alone, most pairs of hours do not.
    const probe = await simulator();
    const bytesOf = (s: number, e: number) => probe.truth.rawEventLines(hourKey(s), hourKey(e)).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    let limit = 0;
    for (let h = first; h <= last; h += HOUR_MS) limit = Math.max(limit, bytesOf(h, h));
    const sim = await simulator({ ...PAST_DATA, maxExportBytes: limit });
    sim.faults.add({ path: EXPORT_PATH, requests: [1], kind: 'status', status: 504 });

    const run = await runTap(sim.url, { start_date: rfc3339(first), end_date: rfc3339(last + HOUR_MS), events_window_hours: 8 });
    expect(run.code).toBe(0);

    // The documented answer to 400 and 504: halve the window, recursively, down to one hour.
    const expectedLog: [string, string, number][] = [];
    const visit = (s: number, e: number, timedOut: boolean): void => {
      const hours = (e - s) / HOUR_MS + 1;
      const status = timedOut ? 504 : sim.truth.events(hourKey(s), hourKey(e)).length === 0 ? 404 : bytesOf(s, e) > limit ? 400 : 200;
      expectedLog.push([hourKey(s), hourKey(e), status]);
      if (status !== 504 && status !== 400) return;
      const firstEnd = s + (Math.floor(hours / 2) - 1) * HOUR_MS;
      visit(s, firstEnd, false);
      visit(firstEnd + HOUR_MS, e, false);
    };
    // The fault hits whichever window's request arrived first.
    const timedOut = sim.requests.find((r) => r.status === 504)?.query.start;
    for (const w of windows(first, last, 8)) visit(hourOf(w.start), hourOf(w.end), w.start === timedOut);
    expect(exportRequests(sim).map((r) => [r.query.start, r.query.end, r.status])).toEqual(expectedLog);
    expect(expectedLog.filter(([, , s]) => s === 400).length).toBeGreaterThan(1);
    expect(run.lines.filter((l) => l.startsWith('WARNING')).length).toBe(expectedLog.filter(([, , s]) => s === 400 || s === 504).length);

    expect(run.texts).toEqual(sim.truth.rawEventLines(hourKey(first), hourKey(last)).map(expectedRecordText));
    const pieces = expectedLog.filter(([, , s]) => s === 200 || s === 404);
    expect(run.bookmarks.filter((b, i) => b !== undefined && b !== run.bookmarks[i - 1])).toEqual(pieces.map(([, e]) => rfc3339(hourOf(e) + HOUR_MS)));
  });

  it('fails with a pointer to the bulk export when a single hour is still too large', async () => {
    const probe = await simulator();
    let hour = DATA_START_MS + 2 * HOUR_MS;
    while (probe.truth.events(hourKey(hour), hourKey(hour)).length === 0) hour += HOUR_MS;
    const sim = await simulator({ ...PAST_DATA, maxExportBytes: 500 });
    const run = await runTap(sim.url, { start_date: rfc3339(hour), end_date: rfc3339(hour + 2 * HOUR_MS), events_window_hours: 2 });
    expect(run.code).toBe(1);
    // The second hour downloads alongside the first, so it may be asked for too.
    const asked = exportRequests(sim).map((r) => [r.query.start, r.query.end, r.status]);
    expect(asked.slice(0, 2)).toEqual([
      [hourKey(hour), hourKey(hour + HOUR_MS), 400],
      [hourKey(hour), hourKey(hour), 400],
    ]);
    expect(asked.slice(2)).toEqual(asked.length > 2 ? [[hourKey(hour + HOUR_MS), hourKey(hour + HOUR_MS), 400]] : []);
    const errors = run.lines.filter((l) => l.startsWith('ERROR'));
    expect(errors).toEqual([
      `ERROR stream events failed: export ${rfc3339(hour)}..${rfc3339(hour + HOUR_MS)}: even one hour of events is over 4 GB at the Export API (Invalid request — The file size of the exported data is too large. Shorten the time ranges and try again. The limit size is 500 bytes.); export this hour with Amplitude's bulk export to Amazon S3 or Snowflake, then set the events bookmark past it`,
    ]);
    expect(run.texts).toEqual([]);
    expect(run.messages[run.messages.length - 1]).toEqual({ type: 'STATE', value: { bookmarks: {}, currently_syncing: null } });
  });

  it('retries a 200 that is not a zip and a body cut short; the records are complete', async () => {
    const sim = await simulator();
    sim.faults.add({ path: EXPORT_PATH, requests: [1], kind: 'html' });
    sim.faults.add({ path: EXPORT_PATH, requests: [3], kind: 'reset', afterBytes: 300 });
    const first = DATA_START_MS + 2 * DAY_MS;
    const last = first + 47 * HOUR_MS;
    const run = await runTap(sim.url, { start_date: rfc3339(first), end_date: rfc3339(last + HOUR_MS) });
    expect(run.code).toBe(0);
    const [w1, w2] = windows(first, last, 24) as [Window, Window];
    // The 1st and 3rd requests fail, whichever windows they were for (both download at once); every
    // window's last request succeeds.
    const asked = exportRequests(sim);
    expect(asked.map((r) => r.fault).sort()).toEqual(['html', 'reset', undefined, undefined]);
    for (const w of [w1, w2]) expect(asked.filter((r) => r.query.start === w.start).at(-1)?.fault).toBeUndefined();
    expect(asked.every((r) => (r.query.start === w1.start && r.query.end === w1.end) || (r.query.start === w2.start && r.query.end === w2.end))).toBe(true);
    const warnings = run.lines.filter((l) => l.startsWith('WARNING'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('export body is not a zip archive (starts with "<!DO"');
    expect(run.texts).toEqual(sim.truth.rawEventLines(hourKey(first), hourKey(last)).map(expectedRecordText));
    expect(run.bookmarks[run.bookmarks.length - 1]).toBe(rfc3339(last + HOUR_MS));
  });

  it('fails on a 404 that is not Amplitude\'s "no data" answer, after keeping the windows before it', async () => {
    const sim = await simulator();
    sim.faults.add({ path: EXPORT_PATH, requests: [2], kind: 'status', status: 404 });
    const first = DATA_START_MS + DAY_MS;
    const last = first + 47 * HOUR_MS;
    const run = await runTap(sim.url, { start_date: rfc3339(first), end_date: rfc3339(last + HOUR_MS) });
    expect(run.code).toBe(1);
    const [w1, w2] = windows(first, last, 24) as [Window, Window];
    expect(run.lines.filter((l) => l.startsWith('ERROR'))).toEqual([
      // Log lines give a window as an RFC 3339 span, its end excluded.
      `ERROR stream events failed: export ${rfc3339(first + 24 * HOUR_MS)}..${rfc3339(first + 48 * HOUR_MS)}: HTTP 404 without Amplitude's "no data" answer (Unspecified Error — Simulated status 404); check api_url and data_region`,
    ]);
    expect(run.texts).toEqual(sim.truth.rawEventLines(w1.start, w1.end).map(expectedRecordText));
    expect(run.messages[run.messages.length - 1]).toEqual({
      type: 'STATE',
      value: { bookmarks: { events: { server_upload_time: rfc3339(hourOf(w2.start)) } }, currently_syncing: null },
    });
  });

  it('stops at the last exportable hour of the real clock; hours not exportable yet answer 404 and are no error', async () => {
    const now = Date.now();
    const sim = await simulator({ seed: 3, dataStart: new Date(Math.floor(now / HOUR_MS) * HOUR_MS - 14 * HOUR_MS).toISOString(), eventsPerHour: 20, exportLagHours: 2 });
    const first = Math.floor(now / HOUR_MS) * HOUR_MS - 12 * HOUR_MS;

    // Same lag as Amplitude (2 h): every window ends at or before the last exportable hour, the last one on it.
    const before = lastExportable(Date.now(), 2);
    const upToLag = await runTap(sim.url, { start_date: rfc3339(first), events_window_hours: 5 });
    expect(upToLag.code).toBe(0);
    const asked = windowsAsked(sim);
    const last = hourOf(asked[asked.length - 1]!.end);
    expect(last).toBeGreaterThanOrEqual(before);
    for (const r of exportRequests(sim)) expect(hourOf(r.query.end as string)).toBeLessThanOrEqual(lastExportable(r.at, 2));
    expect(asked).toEqual(windows(first, last, 5));
    expect(upToLag.texts).toEqual(sim.truth.rawEventLines(hourKey(first), hourKey(last)).map(expectedRecordText));
    expect(upToLag.bookmarks[upToLag.bookmarks.length - 1]).toBe(rfc3339(last + HOUR_MS));

    // Told Amplitude has no lag, the tap asks for hours the simulator still holds back.
    sim.requests.length = 0;
    const run = await runTap(sim.url, { start_date: rfc3339(first), events_lag_hours: 0, events_window_hours: 1 });
    expect(run.code).toBe(0);
    expect(run.lines.filter((l) => /^(ERROR|WARNING|CRITICAL)/.test(l))).toEqual([]);
    const requests = exportRequests(sim);
    const held = requests.filter((r) => hourOf(r.query.start as string) > lastExportable(r.at, 2));
    expect(held.length).toBeGreaterThanOrEqual(1);
    expect(held.every((r) => r.status === 404)).toBe(true);
    const served = requests.filter((r) => r.status === 200).map((r) => r.query.start as string);
    expect(run.texts).toEqual(served.flatMap((h) => sim.truth.rawEventLines(h, h).map(expectedRecordText)));
    expect(served.length).toBeGreaterThan(0);
  });

  it('a start_date in the future: no request, exit 0, a log line', async () => {
    const sim = await simulator();
    const run = await runTap(sim.url, { start_date: rfc3339(Math.floor(Date.now() / HOUR_MS) * HOUR_MS + 5 * DAY_MS) });
    expect(run.code).toBe(0);
    expect(sim.requests).toEqual([]);
    expect(run.lines).toContain('INFO stream events: nothing to export: the bookmark (or start_date) is already at end_date, or at the newest upload hour that is events_lag_hours old');
    expect(run.texts).toEqual([]);
    expect(run.messages[run.messages.length - 1]?.type).toBe('STATE');
  });
});

/**
 * A tiny Export API serving the recorded archive for 20260616T11 (each answer's body from
 * `bodies`, the last one repeated) and the recorded 404 otherwise; `asked` logs the requests.
 */
async function fixtureServer(bodies: Buffer[]): Promise<{ url: string; asked: string[] }> {
  const asked: string[] = [];
  let served = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    asked.push(`${url.pathname}?${url.searchParams.toString()}`);
    if (url.pathname === EXPORT_PATH && url.searchParams.get('start') === '20260616T11' && url.searchParams.get('end') === '20260616T11') {
      const body = bodies[Math.min(served++, bodies.length - 1)] as Buffer;
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(body.length) }).end(body);
    } else {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' }).end(readFileSync(fixture('export-404.json')));
    }
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

const ONE_HOUR_CONFIG = { start_date: '2026-06-16T11:00:00Z', end_date: '2026-06-16T12:00:00Z' };
const fixtureTexts = (): string[] =>
  readFileSync(fixture('export-hour.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map(expectedRecordText);

describe('events stream against the real recorded archive', () => {
  it('reads export-hour.zip into exactly the 3 events of export-hour.jsonl, timestamps in RFC 3339', async () => {
    const { url, asked } = await fixtureServer([readFileSync(fixture('export-hour.zip'))]);
    const run = await runTap(url, ONE_HOUR_CONFIG);
    expect(run.lines.filter((l) => /^(ERROR|WARNING|CRITICAL)/.test(l))).toEqual([]);
    expect(run.code).toBe(0);
    expect(asked).toEqual(['/api/2/export?start=20260616T11&end=20260616T11']);

    expect(fixtureTexts()).toHaveLength(3);
    expect(run.texts).toEqual(fixtureTexts());
    const timestampFields = ['client_event_time', 'client_upload_time', 'event_time', 'processed_time', 'server_received_time', 'server_upload_time', 'user_creation_time'];
    for (const m of run.messages.filter((x) => x.type === 'RECORD')) {
      for (const f of timestampFields) {
        const v = m.record?.[f];
        if (v !== null) expect([f, v]).toEqual([f, expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)]);
      }
    }
    expect(run.messages.find((m) => m.type === 'RECORD')?.record?.server_upload_time).toBe('2026-06-16T11:57:13.417000Z');
    expect(run.bookmarks[run.bookmarks.length - 1]).toBe('2026-06-16T12:00:00Z');
  });

  it('downloads an archive again when it arrives truncated or with a corrupt member', async () => {
    const zip = readFileSync(fixture('export-hour.zip'));
    const corrupt = Buffer.from(zip);
    corrupt[120] = (corrupt[120] as number) ^ 0xff; // inside the stored gzip member: its CRC-32 no longer matches
    const { url, asked } = await fixtureServer([zip.subarray(0, zip.length - 40), corrupt, zip]);
    const run = await runTap(url, ONE_HOUR_CONFIG);
    expect(run.code).toBe(0);
    expect(asked).toHaveLength(3);
    const warnings = run.lines.filter((l) => l.startsWith('WARNING'));
    expect(warnings).toEqual([expect.stringMatching(/truncated.*downloading it again$/), expect.stringMatching(/CRC-32.*downloading it again$/)]);
    expect(run.texts).toEqual(fixtureTexts());
  });

  it('passes top-level keys the schema does not declare yet through, also when a declared field is deselected', async () => {
    const lines = readFileSync(fixture('export-hour.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0);
    const withNewKey = lines.map((l, i) => `${l.slice(0, -1)},"ingestion_region":"eu-${i}"}`);
    const { zip } = buildZip([{ name: '829528/829528_2026-06-16_11#0.json.gz', data: gzipSync(`${withNewKey.join('\n')}\n`) }]);
    const { url } = await fixtureServer([zip]);

    const all = await runTap(url, ONE_HOUR_CONFIG);
    expect(all.code).toBe(0);
    expect(all.texts).toEqual(withNewKey.map(expectedRecordText));

    const withoutIp = structuredClone(eventsOnlyCatalog);
    for (const s of withoutIp.streams) for (const m of s.metadata) if (m.breadcrumb[1] === 'ip_address') m.metadata.selected = false;
    const some = await runTap(url, ONE_HOUR_CONFIG, { catalog: withoutIp });
    expect(some.code).toBe(0);
    expect(some.texts).toEqual(withNewKey.map((l) => expectedRecordText(l).replace('"ip_address":null,', '')));
    expect(some.texts.every((t) => t.includes('"ingestion_region":"eu-'))).toBe(true);
  });
});
