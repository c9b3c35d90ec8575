// The events stream read from Amplitude's bucket export (events_source "s3") against a real S3
// API served locally (s3rver), the files laid out as Amplitude documents them and made from the
// same events the simulator's Export API serves: both paths give the same records, byte for byte;
// only finished hours are read; merged IDs come out as their own stream; a sync killed mid-hour
// resumes from its STATE losing nothing and repeating only the hour in flight.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { parseMessages, tempDir, writeJson } from '../helpers/cli.js';
import { cliPath } from '../helpers/paths.js';
import { hourBookmark, hourKey, isoOf } from '../helpers/expected.js';
import { bucketObjects, mergedIds } from '../simulator/bucket.js';
import { createSimulator, type Simulator } from '../simulator/server.js';
import { requireBuild } from './support/e2e.js';
import {
  bucketConfig,
  bucketServer,
  catalogOf,
  DATA,
  eventsWithout,
  expectedRecordText,
  HOUR_MS,
  lastBookmark,
  ORG_ID,
  PREFIX,
  runTap,
  stopBucketServers,
} from './support/bucket.js';

const FIRST = Date.parse('2026-06-19T22:00:00Z'); // two empty hours before the data
const LAST = Date.parse('2026-06-21T06:00:00Z'); // the data ends at 06:30
const sims: Simulator[] = [];

beforeAll(() => requireBuild());
afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  await stopBucketServers();
});

describe('events_source s3', () => {
  it('gives exactly the Export API records for the same hours, several partitions an hour, a STATE after each hour with data', async () => {
    const sim = await createSimulator(DATA);
    sims.push(sim);
    const server = await bucketServer();
    // One hour past LAST is in the bucket too: the newest hour present is not read (it may still be arriving).
    const objects = [...bucketObjects(DATA, hourKey(FIRST), hourKey(LAST + HOUR_MS), { prefix: PREFIX, markers: true, orgId: ORG_ID })];
    await server.put(objects);
    expect(objects.some((o) => o.key.endsWith('#3.json.gz'))).toBe(true);
    expect(objects.some((o) => /\/829528\/829528_2026-06-20_0#1\.json\.gz$/.test(o.key))).toBe(true);

    const viaExport = await runTap({ api_key: 'demo-api-key', secret_key: 'demo-secret-key', api_url: sim.url, start_date: isoOf(FIRST), end_date: isoOf(LAST + HOUR_MS) });
    const viaBucket = await runTap(bucketConfig(server, { start_date: isoOf(FIRST), s3_max_concurrency: 3 }));
    expect(viaExport.code).toBe(0);
    expect(viaBucket.code).toBe(0);
    expect(viaBucket.stderr).not.toMatch(/^(WARNING|ERROR|CRITICAL)/m);

    const expected = sim.truth.rawEventLines(hourKey(FIRST), hourKey(LAST)).map(expectedRecordText);
    expect(expected.length).toBeGreaterThan(400);
    expect(viaBucket.texts).toEqual(expected);
    expect(viaBucket.texts).toEqual(viaExport.texts);
    expect(lastBookmark(viaBucket)).toEqual({ server_upload_time: hourBookmark(LAST + HOUR_MS) });
    expect(lastBookmark(viaBucket)).toEqual(lastBookmark(viaExport));

    // With fields deselected, both paths still agree (the same selection code), and the fields are gone.
    const narrowExport = await runTap(
      { api_key: 'demo-api-key', secret_key: 'demo-secret-key', api_url: sim.url, start_date: isoOf(FIRST), end_date: isoOf(LAST + HOUR_MS) },
      { catalog: eventsWithout('ip_address', 'event_properties') },
    );
    const narrowBucket = await runTap(bucketConfig(server, { start_date: isoOf(FIRST) }), { catalog: eventsWithout('ip_address', 'event_properties') });
    expect(narrowBucket.texts).toEqual(narrowExport.texts);
    expect(narrowBucket.texts.length).toBe(expected.length);
    expect(narrowBucket.texts.some((t) => t.includes('"ip_address"') || t.includes('"event_properties"'))).toBe(false);

    // A listing held to a few keys per pass (a long backfill) reads the same records, day after day.
    const inPasses = await runTap(bucketConfig(server, { start_date: isoOf(FIRST) }), { env: { TAP_AMPLITUDE_S3_LIST_KEYS: '1' } });
    expect(inPasses.code).toBe(0);
    expect(inPasses.stderr.match(/stops there because the listing continues in the next pass/g)?.length).toBe(2);
    expect(inPasses.texts).toEqual(viaExport.texts);
    expect(lastBookmark(inPasses)).toEqual(lastBookmark(viaExport));

    // A STATE after every hour that held events, and after them only records of later hours.
    const hoursWithData = new Set(sim.truth.events(hourKey(FIRST), hourKey(LAST)).map((e) => String(e.server_upload_time).slice(0, 13)));
    const bookmarks = viaBucket.states.map((s) => s.events?.server_upload_time).filter((v): v is string => typeof v === 'string');
    const afterHours = [...hoursWithData].map((h) => hourBookmark(Date.parse(`${h.replace(' ', 'T')}:00:00Z`) + HOUR_MS));
    expect(bookmarks).toEqual(expect.arrayContaining(afterHours));
    expect(bookmarks).toEqual([...bookmarks].sort());
    expect(bookmarks.length).toBeLessThan(2 * afterHours.length + 2);
  });

  it('reads an hour only once a newer hour is in the bucket, and resumes from the bookmark', async () => {
    const server = await bucketServer();
    const a = Date.parse('2026-06-20T03:00:00Z');
    await server.put(bucketObjects(DATA, hourKey(a), hourKey(a + 3 * HOUR_MS), { prefix: PREFIX }));
    const sim = await createSimulator(DATA);
    sims.push(sim);
    const first = await runTap(bucketConfig(server, { start_date: isoOf(a) }));
    expect(first.code).toBe(0);
    expect(first.texts).toEqual(sim.truth.rawEventLines(hourKey(a), hourKey(a + 2 * HOUR_MS)).map(expectedRecordText));
    expect(lastBookmark(first)).toEqual({ server_upload_time: hourBookmark(a + 3 * HOUR_MS) });

    await server.put(bucketObjects(DATA, hourKey(a + 4 * HOUR_MS), hourKey(a + 4 * HOUR_MS), { prefix: PREFIX }));
    const second = await runTap(bucketConfig(server, { start_date: isoOf(a) }), { state: { bookmarks: { events: lastBookmark(first) } } });
    expect(second.code).toBe(0);
    expect(second.texts).toEqual(sim.truth.rawEventLines(hourKey(a + 3 * HOUR_MS), hourKey(a + 3 * HOUR_MS)).map(expectedRecordText));
    expect(lastBookmark(second)).toEqual({ server_upload_time: hourBookmark(a + 4 * HOUR_MS) });
  });

  it('with complete markers in the bucket, stops before an hour that has neither files nor a marker, never skipping it', async () => {
    const server = await bucketServer();
    const start = Date.parse('2026-06-19T20:00:00Z'); // 20..23 are empty hours (before the data)
    await server.put(bucketObjects(DATA, hourKey(start), hourKey(start + 7 * HOUR_MS), { prefix: PREFIX, markers: true }));
    await server.remove(`${PREFIX}829528/829528_2026-06-19_22_complete`);
    const gap = await runTap(bucketConfig(server, { start_date: isoOf(start) }));
    expect(gap.code).toBe(0);
    expect(gap.texts).toEqual([]);
    expect(gap.stderr).toContain('hour 2026-06-19T22:00Z has neither files nor a complete marker');
    // 20:00 and 21:00 are complete and empty; 22:00 is where reading stopped.
    expect(lastBookmark(gap)).toEqual({ server_upload_time: '2026-06-19T22:00:00Z' });

    await server.put([{ key: `${PREFIX}829528/829528_2026-06-19_22_complete`, body: Buffer.alloc(0) }]);
    const sim = await createSimulator(DATA);
    sims.push(sim);
    const filled = await runTap(bucketConfig(server, { start_date: isoOf(start) }));
    expect(filled.texts).toEqual(sim.truth.rawEventLines(hourKey(start), hourKey(start + 6 * HOUR_MS)).map(expectedRecordText));
    expect(lastBookmark(filled)).toEqual({ server_upload_time: hourBookmark(start + 7 * HOUR_MS) });
  });

  it('emits the merged Amplitude IDs of the finished hours as the merged_ids stream', async () => {
    const server = await bucketServer();
    await server.put(bucketObjects(DATA, hourKey(FIRST), hourKey(FIRST + 5 * HOUR_MS), { prefix: PREFIX, orgId: ORG_ID, mergesPerHour: 4 }));
    const run = await runTap(bucketConfig(server, { start_date: isoOf(FIRST) }), { streams: ['merged_ids'] });
    expect(run.code).toBe(0);
    const schema = run.messages.find((m) => m.type === 'SCHEMA');
    expect(schema?.key_properties).toEqual(['amplitude_id', 'merged_amplitude_id']);
    const expected = [];
    for (let h = FIRST; h < FIRST + 5 * HOUR_MS; h += HOUR_MS) expected.push(...mergedIds(DATA.seed as number, h / HOUR_MS, 4));
    const records = run.messages.filter((m) => m.type === 'RECORD').map((m) => m.record);
    expect(records).toEqual(expected.map((e) => ({ amplitude_id: e.amplitude_id, merged_amplitude_id: e.merged_amplitude_id, merge_server_time: e.merge_server_time, merge_time: e.merge_time, scope: e.scope })));
    expect(lastBookmark(run, 'merged_ids')).toEqual({ upload_hour: hourBookmark(FIRST + 5 * HOUR_MS), merge_server_time: Math.max(...expected.map((e) => e.merge_server_time)) });

    const empty = await bucketServer();
    await empty.put(bucketObjects(DATA, hourKey(FIRST), hourKey(FIRST + 2 * HOUR_MS), { prefix: PREFIX }));
    const none = await runTap(bucketConfig(empty, { start_date: isoOf(FIRST) }), { streams: ['merged_ids'] });
    expect(none.code).toBe(0);
    expect(none.messages.filter((m) => m.type === 'RECORD')).toEqual([]);
    expect(none.stderr).toContain('merged_ids: no merged-ID files: no -{orgId}/ folder under s3://amplitude-export/amplitude/export/');
  });

  it('killed mid-hour and resumed from its last STATE, loses nothing and repeats only the hour in flight', async () => {
    const big = { ...DATA, eventsPerHour: 400, dataEnd: '2026-06-20T08:00:00Z' };
    const start = Date.parse('2026-06-20T00:00:00Z');
    const server = await bucketServer();
    // Hour 08 holds no events, only its marker: it makes 00..07 complete.
    await server.put(bucketObjects(big, hourKey(start), hourKey(start + 8 * HOUR_MS), { prefix: PREFIX, markers: true }));
    const config = bucketConfig(server, { start_date: isoOf(start), s3_max_concurrency: 2 });
    const dir = tempDir();
    const args = ['--config', writeJson(dir, 'config.json', config), '--catalog', writeJson(dir, 'catalog.json', catalogOf('events'))];

    // A target that crashes: it has read 3 STATEs and a few records of the next hour when the tap is killed.
    const read: string[] = [];
    const killed = await new Promise<{ signal: NodeJS.Signals | null }>((resolve, reject) => {
      const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
      let partial = '';
      let states = 0;
      let after = 0;
      let done = false;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) {
          if (done) return;
          read.push(line);
          const type = (JSON.parse(line) as { type: string }).type;
          if (type === 'STATE') states++;
          else if (type === 'RECORD' && states >= 3 && ++after === 5) {
            done = true;
            child.stdout.pause();
            child.kill('SIGKILL');
          }
        }
      });
      child.on('error', reject);
      child.on('close', (_code, signal) => resolve({ signal }));
    });
    expect(killed.signal).toBe('SIGKILL');
    const firstRun = parseMessages(read.join('\n'));
    const lastState = firstRun.map((m) => m.type).lastIndexOf('STATE');
    const resumeFrom = firstRun[lastState]?.value as { bookmarks: { events: { server_upload_time: string } } };
    const inFlight = firstRun.slice(lastState + 1).filter((m) => m.type === 'RECORD').map((m) => m.record as Record<string, unknown>);
    expect(inFlight.length).toBe(5);
    // The records after the last STATE are all of one hour at or after the one that STATE points at: the hour in flight.
    const hourInFlight = String(inFlight[0]?.server_upload_time).slice(0, 13);
    expect(hourInFlight >= resumeFrom.bookmarks.events.server_upload_time.slice(0, 13)).toBe(true);
    for (const r of inFlight) expect(String(r.server_upload_time).slice(0, 13)).toBe(hourInFlight);

    const second = await runTap(config, { state: resumeFrom });
    expect(second.code).toBe(0);
    const uuids = [...firstRun, ...second.messages].filter((m) => m.type === 'RECORD').map((m) => m.record?.uuid as string);
    const sim = await createSimulator(big);
    sims.push(sim);
    const truth = sim.truth.events(hourKey(start), hourKey(start + 7 * HOUR_MS)).map((e) => e.uuid as string);
    expect(new Set(uuids)).toEqual(new Set(truth));
    const seen = new Map<string, number>();
    for (const u of uuids) seen.set(u, (seen.get(u) ?? 0) + 1);
    const repeated = [...seen].filter(([, n]) => n > 1).map(([u]) => u).sort();
    expect(repeated).toEqual(inFlight.map((r) => r.uuid as string).sort());
  });
});
