import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import got from 'got';
import unzipper from 'unzipper';
import { fixture } from '../helpers/paths.js';
import { createSimulator, writeExportArchive, type Simulator, type SimulatorOptions } from './server.js';

const base: SimulatorOptions = {
  seed: 3,
  dataStart: '2026-06-10T00:00:00Z',
  dataEnd: '2026-06-20T12:30:00Z',
  now: () => new Date('2026-06-20T12:30:00Z'),
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-export-'));
let sim: Simulator;
beforeAll(async () => {
  sim = await createSimulator(base);
});
afterAll(async () => {
  await sim.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

async function get(s: Simulator, pathAndQuery: string, credentials: [string, string] | null = ['demo-api-key', 'demo-secret-key']): Promise<Answer> {
  const res = await got(`${s.url}${pathAndQuery}`, {
    headers: credentials ? { authorization: `Basic ${Buffer.from(credentials.join(':')).toString('base64')}` } : {},
    throwHttpErrors: false,
    retry: { limit: 0 },
    responseType: 'buffer',
  });
  // got 16 hands back a Uint8Array.
  return { statusCode: res.statusCode, headers: res.headers, body: Buffer.from(res.body) };
}

const exportPath = (start: string, end: string): string => `/api/2/export?start=${start}&end=${end}`;

/** What python's zipfile (an independent reader) sees in the central directory. */
interface PyEntry {
  name: string; offset: number; csize: number; size: number; crc: number; method: number; flags: number;
  system: number; version: number; extract: number; attr: number; extra: string; comment: string; time: number[];
}
function pythonEntries(file: string): PyEntry[] {
  const script = `import json,sys,zipfile
z=zipfile.ZipFile(sys.argv[1])
print(json.dumps([dict(name=i.filename,offset=i.header_offset,csize=i.compress_size,size=i.file_size,crc=i.CRC,method=i.compress_type,flags=i.flag_bits,system=i.create_system,version=i.create_version,extract=i.extract_version,attr=i.external_attr,extra=i.extra.hex(),comment=i.comment.hex(),time=list(i.date_time)) for i in z.infolist()]))`;
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as PyEntry[];
}

/** An hour of 2026-06-12 that holds events (about one hour in ten is empty). */
function busyHour(s: Simulator): string {
  const hour = ['07', '08', '09', '10', '11'].map((h) => `20260612T${h}`).find((h) => s.truth.events(h, h).length > 0);
  if (!hour) throw new Error('no busy hour');
  return hour;
}

const lineBytes = (lines: string[]): number => lines.reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0);

describe('GET /api/2/export', () => {
  it('answers 403 with the error envelope for wrong or missing credentials', async () => {
    for (const credentials of [['demo-api-key', 'wrong'], ['wrong', 'demo-secret-key'], null] as ([string, string] | null)[]) {
      const res = await get(sim, exportPath('20260612T00', '20260612T00'), credentials);
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toBe('application/json; charset=UTF-8');
      expect(JSON.parse(res.body.toString())).toEqual({
        error: { http_code: 403, type: 'unspecified', message: 'Unspecified Error', metadata: { details: 'Invalid API Key' } },
      });
    }
  });

  it('answers a window without data with exactly the real 404 bytes', async () => {
    const res = await get(sim, exportPath('20200101T00', '20200101T23'));
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body.equals(fs.readFileSync(fixture('export-404.json')))).toBe(true);
  });

  it('treats hours younger than the lag as empty', async () => {
    // now 12:30, lag 2 h: hour 09 is the newest exportable one; hours 10 and 11 hold data but answer 404.
    expect(sim.truth.lastExportableHour()).toBe('20260620T09');
    expect(sim.truth.events('20260620T10', '20260620T11').length).toBeGreaterThan(0);
    expect((await get(sim, exportPath('20260620T10', '20260620T11'))).statusCode).toBe(404);
    const nine = sim.truth.events('20260620T09', '20260620T09');
    expect(nine.length).toBeGreaterThan(0);
    const res = await get(sim, exportPath('20260620T09', '20260620T11'));
    expect(res.statusCode).toBe(200);
    expect(zipEvents(res.body, 'lag').map((e) => e.uuid)).toEqual(nine.map((e) => e.uuid));
  });

  it('includes the end hour: start = end serves that hour', async () => {
    const hour = busyHour(sim);
    const res = await get(sim, exportPath(hour, hour));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(zipEvents(res.body, 'one-hour')).toEqual(sim.truth.events(hour, hour));
  });

  it('answers 400 with the envelope for bad parameters', async () => {
    for (const q of ['?start=2026061207&end=20260612T08', '?start=20260612T24&end=20260612T08', '?start=20260612T08&end=20260612T07', '?start=20250101T00&end=20260101T00', '?start=20260612T00']) {
      const res = await get(sim, `/api/2/export${q}`);
      expect([q, res.statusCode]).toEqual([q, 400]);
      expect((JSON.parse(res.body.toString()) as { error: { http_code: number } }).error.http_code).toBe(400);
    }
    // Exactly 365 days is allowed.
    expect((await get(sim, exportPath('20250101T00', '20251231T23'))).statusCode).toBe(404);
  });

  it('answers 400 when the uncompressed JSON exceeds maxExportBytes', async () => {
    const small = await createSimulator({ ...base, maxExportBytes: 200_000 });
    try {
      const day = lineBytes(small.truth.rawEventLines('20260612T00', '20260612T23'));
      const hour = busyHour(small);
      expect(day).toBeGreaterThan(200_000);
      expect(lineBytes(small.truth.rawEventLines(hour, hour))).toBeLessThan(200_000);
      const res = await get(small, exportPath('20260612T00', '20260612T23'));
      expect(res.statusCode).toBe(400);
      expect((JSON.parse(res.body.toString()) as { error: { http_code: number } }).error.http_code).toBe(400);
      expect((await get(small, exportPath(hour, hour))).statusCode).toBe(200);
    } finally {
      await small.stop();
    }
  });
});

describe('the export archive', () => {
  let body: Buffer;
  let file: string;
  let entries: PyEntry[];
  beforeAll(async () => {
    const res = await get(sim, exportPath('20260612T00', '20260612T23'));
    expect(res.statusCode).toBe(200);
    body = res.body;
    file = path.join(tmp, 'day.zip');
    fs.writeFileSync(file, body);
    entries = pythonEntries(file);
  });

  it('passes unzip -t and lists members named by unpadded upload hour and partition', () => {
    expect(execFileSync('/usr/bin/unzip', ['-t', file], { encoding: 'utf8' })).toContain('No errors detected');
    const names = execFileSync('/usr/bin/zipinfo', ['-1', file], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual(entries.map((e) => e.name));
    const parsed = names.map((n) => /^829528\/829528_2026-06-12_(\d{1,2})#(\d+)\.json\.gz$/.exec(n));
    expect(parsed.every(Boolean)).toBe(true);
    const hours = parsed.map((m) => Number((m as RegExpExecArray)[1]));
    const expectedHours = [...new Set(sim.truth.events('20260612T00', '20260612T23').map((e) => Number((e.server_upload_time as string).slice(11, 13))))];
    expect([...new Set(hours)]).toEqual(expectedHours);
    expect(names.some((n) => n.includes('_0#') || n.includes('_1#'))).toBe(true);
    // Partitions of an hour count #0, #1, ... and several-member hours occur.
    const byHour = new Map<number, number[]>();
    parsed.forEach((m) => byHour.set(Number(m?.[1]), [...(byHour.get(Number(m?.[1])) ?? []), Number(m?.[2])]));
    for (const parts of byHour.values()) expect(parts).toEqual(parts.map((_, k) => k));
    expect([...byHour.values()].some((p) => p.length > 1)).toBe(true);
  });

  it('lays entries out like the real archive, with stored and deflated entries mixed', () => {
    const verbose = execFileSync('/usr/bin/zipinfo', ['-v', file], { encoding: 'utf8' });
    expect(verbose.match(/extended local header:\s+yes/g)).toHaveLength(entries.length);
    expect(verbose).toContain('compression method:                             none (stored)');
    expect(verbose).toMatch(/compression method:\s+deflated/);
    expect(verbose.match(/Unix file attributes \(000600 octal\)/g)).toHaveLength(entries.length);
    expect(verbose).not.toContain('There is a file comment');
    expect(new Set(entries.map((e) => e.method))).toEqual(new Set([0, 8]));
    const [real] = pythonEntries(fixture('export-hour.zip')) as [PyEntry];
    const layout = (e: PyEntry): unknown[] => [e.flags & 8, e.system, e.version, e.extract, e.attr >>> 16, e.extra, e.comment];
    expect(layout(real)).toEqual([8, 3, 20, 20, 0o600, '', '']);
    for (const e of entries) {
      expect([e.name, ...layout(e)]).toEqual([e.name, ...layout(real)]);
      expect(e.time).toEqual([2026, 6, 20, 12, 30, 0]);
      // Local header: CRC and sizes 0; the data descriptor with its signature follows the data.
      const nameLength = body.readUInt16LE(e.offset + 26);
      expect(body.readUInt32LE(e.offset)).toBe(0x04034b50);
      expect([body.readUInt16LE(e.offset + 6), body.readUInt32LE(e.offset + 14), body.readUInt32LE(e.offset + 18), body.readUInt32LE(e.offset + 22)]).toEqual([8, 0, 0, 0]);
      expect(body.readUInt16LE(e.offset + 28)).toBe(0);
      const descriptor = e.offset + 30 + nameLength + e.csize;
      expect(body.subarray(descriptor, descriptor + 4).toString('latin1')).toBe('PK\x07\x08');
      expect([body.readUInt32LE(descriptor + 4), body.readUInt32LE(descriptor + 8), body.readUInt32LE(descriptor + 12)]).toEqual([e.crc, e.csize, e.size]);
    }
  });

  it('holds gzip members (one each, mtime 0, no name, OS 255) whose lines are exactly the truth', () => {
    let text = '';
    for (const e of entries) {
      const gz = execFileSync('/usr/bin/unzip', ['-p', file, e.name]);
      expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
      const plain = zlib.gunzipSync(gz);
      // The trailer's ISIZE covers the whole text: a single gzip member.
      expect(gz.readUInt32LE(gz.length - 4)).toBe(plain.length);
      text += plain.toString('utf8');
    }
    const lines = sim.truth.rawEventLines('20260612T00', '20260612T23');
    expect(text).toBe(lines.map((l) => `${l}\n`).join(''));
    const served = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const truth = sim.truth.events('20260612T00', '20260612T23');
    expect(served.map((e) => e.uuid)).toEqual(truth.map((e) => e.uuid));
    expect(served).toEqual(truth);
  });

  it('has stored members whose gzip trailer holds a false PK\\x07\\x08, which trips forward-only readers only', async () => {
    const falseSignatures = entries.filter((e) => {
      const end = e.offset + 30 + body.readUInt16LE(e.offset + 26) + e.csize;
      return body.subarray(end - 8, end - 4).toString('latin1') === 'PK\x07\x08';
    });
    expect(falseSignatures.length).toBeGreaterThan(0);
    expect(falseSignatures.every((e) => e.method === 0)).toBe(true);
    // A central-directory reader gets every member whole...
    const directory = await unzipper.Open.buffer(body);
    for (const file of directory.files) expect(zlib.gunzipSync(await file.buffer()).length).toBeGreaterThan(0);
    // ...a forward-only one fails.
    const forward = (async () => {
      const parsed = Readable.from([body]).pipe(unzipper.Parse({ forceStream: true }));
      for await (const entry of parsed as AsyncIterable<unzipper.Entry>) zlib.gunzipSync(await entry.buffer());
    })();
    await expect(forward).rejects.toThrow();
  });

  it('is what writeExportArchive writes for the same window and clock', async () => {
    const out = path.join(tmp, 'written.zip');
    const stats = await writeExportArchive(base, '20260612T00', '20260612T23', out);
    const lines = sim.truth.rawEventLines('20260612T00', '20260612T23');
    expect(stats).toEqual({ events: lines.length, uncompressedBytes: lineBytes(lines) });
    expect(fs.readFileSync(out).equals(body)).toBe(true);
    await expect(writeExportArchive(base, '20200101T00', '20200101T01', out)).rejects.toThrow(/404/);
  });

  it('streams large archives with chunked transfer encoding', async () => {
    const big = await createSimulator({ ...base, eventsPerHour: 2500 });
    try {
      const res = await get(big, exportPath('20260612T00', '20260612T02'));
      expect(res.statusCode).toBe(200);
      expect(res.headers['transfer-encoding']).toBe('chunked');
      expect(res.headers['content-length']).toBeUndefined();
      const bigFile = path.join(tmp, 'big.zip');
      fs.writeFileSync(bigFile, res.body);
      expect(execFileSync('/usr/bin/unzip', ['-t', bigFile], { encoding: 'utf8' })).toContain('No errors detected');
      const uuids = zipEvents(res.body, 'big').map((e) => e.uuid);
      expect(uuids).toEqual(big.truth.events('20260612T00', '20260612T02').map((e) => e.uuid));
    } finally {
      await big.stop();
    }
  });
});

/** Events of an archive, read with the system's unzip. */
function zipEvents(zip: Buffer, label: string): Record<string, unknown>[] {
  const file = path.join(tmp, `${label}.zip`);
  fs.writeFileSync(file, zip);
  const names = execFileSync('/usr/bin/zipinfo', ['-1', file], { encoding: 'utf8' }).trim().split('\n');
  return names.flatMap((name) =>
    zlib
      .gunzipSync(execFileSync('/usr/bin/unzip', ['-p', file, name], { maxBuffer: 1 << 30 }))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}
