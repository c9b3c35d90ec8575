// cohort_members end to end: the built CLI against the simulator's cohort download (several status
// polls, small files in the body, larger ones through a 302 to a second local server standing in
// for S3, gzip CSV with quoted values). Records are compared with the simulator's members, mapped
// here by hand; state, quota budget, expired links, recomputed cohorts and a SIGKILL in the middle
// of a download followed by a rerun from the last STATE are checked against its request logs.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import os from 'node:os';
import { lastState, parseMessages, recordsOf, runCli, tempDir, writeJson, type SingerMessage } from '../helpers/cli.js';
import { cliPath } from '../helpers/paths.js';
import { schemaErrors } from '../helpers/schema-validator.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../simulator/server.js';
import { requireBuild, stderrLines } from './support/e2e.js';

const PROPS = ['country', 'gp:plan'];
// Computed cohorts in list order: #0 (in the /file body), #4 (through S3), #6 (42 members, body).
const SIZES = { 0: 60, 4: 3000 };
const ENV = { TAP_AMPLITUDE_COHORT_POLL_MS: '5,20' };
type Row = Record<string, unknown>;

const sims: Simulator[] = [];
afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()));
});

async function simulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await createSimulator({ cohortSizes: SIZES, ...opts });
  sims.push(sim);
  return sim;
}

function tapArgs(sim: Simulator, config: Row = {}, state?: unknown): string[] {
  const dir = tempDir();
  const catalog = { streams: [{ tap_stream_id: 'cohort_members', metadata: [{ breadcrumb: [], metadata: { selected: true } }] }] };
  const settings = { api_key: sim.options.apiKey, secret_key: sim.options.secretKey, api_url: sim.url, start_date: '2026-01-01', cohort_ids: 'all', cohort_member_properties: PROPS, ...config };
  const args = ['--config', writeJson(dir, 'config.json', settings), '--catalog', writeJson(dir, 'catalog.json', catalog)];
  if (state !== undefined) args.push('--state', writeJson(dir, 'state.json', state));
  return args;
}

interface Run {
  code: number | null;
  stderr: string;
  messages: SingerMessage[];
  records: Row[];
}

async function runTap(sim: Simulator, config: Row = {}, state?: unknown): Promise<Run> {
  requireBuild();
  const result = await runCli(tapArgs(sim, config, state), { timeoutMs: 60_000, env: ENV });
  const messages = parseMessages(result.stdout);
  const records = recordsOf(messages, 'cohort_members');
  for (const row of records) expect(schemaErrors('cohort_members', row)).toEqual([]);
  return { code: result.code, stderr: result.stderr, messages, records };
}

const iso = (epochSeconds: unknown): string => new Date(Number(epochSeconds) * 1000).toISOString().replace('.000Z', 'Z');
const computed = (sim: Simulator): Row[] => sim.truth.cohorts().filter((c) => c.finished === true);

/** The records a cohort's download must give, from the simulator's members. */
function expected(sim: Simulator, cohortId: string, props = PROPS): Row[] {
  const cohort = sim.truth.cohorts().find((c) => c.id === cohortId) as Row;
  return sim.truth.cohortMembers(cohortId, props).map((m) => ({ cohort_id: cohortId, ...m, cohort_last_computed: iso(cohort.lastComputed) }));
}

const cohortRequests = (sim: Simulator): string[] =>
  sim.requests.filter((r) => /^\/api\/5\/cohorts\/request\/[^/]+$/.test(r.path)).map((r) => r.path.split('/').pop() as string);

describe('cohort_ids "all"', () => {
  it('emits every member of every computed cohort exactly once; a second run downloads nothing', async () => {
    const sim = await simulator();
    const first = await runTap(sim);
    expect({ code: first.code, warnings: stderrLines(first).filter((l) => !l.startsWith('INFO')) }).toEqual({ code: 0, warnings: [] });
    const ids = computed(sim).map((c) => String(c.id));
    expect(ids.length).toBe(3);
    expect(first.records).toEqual(ids.flatMap((id) => expected(sim, id)));
    // The data really has quoted values with commas and quotes, and members without a user id.
    expect(first.records.some((r) => (r.properties as Row).country === 'The "Netherlands"')).toBe(true);
    expect(first.records.some((r) => String(r.user_id).includes('", ltd'))).toBe(true);
    expect(first.records.some((r) => r.user_id === null)).toBe(true);

    // Each job was polled until complete (2 × "JOB INPROGRESS", then "JOB COMPLETED").
    const statuses = sim.requests.filter((r) => r.path.startsWith('/api/5/cohorts/request-status/')).map((r) => r.status);
    expect(statuses).toEqual([202, 202, 200, 202, 202, 200, 202, 202, 200]);
    // The 3,000-member cohort came from the S3 stand-in, never with Amplitude's credentials.
    expect(sim.cohortDownloads.s3Requests.map((r) => [r.authorization, r.status])).toEqual([[false, 200]]);
    expect(cohortRequests(sim)).toEqual(ids);

    const state = lastState(first.messages) as { bookmarks: { cohort_members: Row } };
    expect(state.bookmarks.cohort_members).toEqual({
      cohorts: Object.fromEntries(computed(sim).map((c) => [c.id, { lastComputed: c.lastComputed, lastMod: c.lastMod }])),
      downloads: { month: new Date().toISOString().slice(0, 7), requests: 3 },
    });

    const before = sim.requests.length;
    const second = await runTap(sim, {}, state);
    expect({ code: second.code, records: second.records.length, downloads: cohortRequests(sim).length }).toEqual({ code: 0, records: 0, downloads: 3 });
    expect(sim.requests.slice(before).map((r) => r.path)).toEqual(['/api/3/cohorts']);
    expect(lastState(second.messages)).toEqual(state);

    // A recomputed cohort is downloaded again, and only it. Upserting both runs' records on the key,
    // the rows whose cohort_last_computed equals the cohort's lastComputed are its members now;
    // the others are the members who left.
    const changed = ids[1] as string;
    const old = expected(sim, changed);
    sim.cohortDownloads.recompute(changed);
    const third = await runTap(sim, {}, state);
    expect(third.code).toBe(0);
    expect(cohortRequests(sim)).toEqual([...ids, changed]);
    const now = expected(sim, changed);
    expect(third.records).toEqual(now);
    const table = new Map<string, Row>();
    for (const r of [...first.records, ...third.records]) table.set(`${String(r.cohort_id)} ${String(r.amplitude_id)}`, r);
    const lastComputed = iso(sim.truth.cohorts().find((c) => c.id === changed)?.lastComputed);
    const rows = [...table.values()].filter((r) => r.cohort_id === changed);
    expect(rows.filter((r) => r.cohort_last_computed === lastComputed)).toEqual(now);
    const stillIn = new Set(now.map((m) => m.amplitude_id));
    expect(rows.filter((r) => r.cohort_last_computed !== lastComputed).map((r) => r.amplitude_id)).toEqual(
      old.filter((m) => !stillIn.has(m.amplitude_id)).map((m) => m.amplitude_id),
    );
  }, 120_000);
});

describe('downloads', () => {
  it('asks for a fresh link when the pre-signed one has expired', async () => {
    const sim = await simulator();
    sim.cohortDownloads.expireNextLinks = 2;
    const s3Cohort = String(computed(sim)[1]?.id);
    const run = await runTap(sim, { cohort_ids: [s3Cohort] });
    expect(run.code).toBe(0);
    expect(run.records).toEqual(expected(sim, s3Cohort));
    expect(sim.cohortDownloads.s3Requests.map((r) => r.status)).toEqual([403, 403, 200]);
    expect(sim.requests.filter((r) => r.path.endsWith('/file')).map((r) => r.status)).toEqual([302, 302, 302]);
    expect(stderrLines(run).filter((l) => l.startsWith('WARNING'))).toEqual([
      expect.stringMatching(new RegExp(`^WARNING stream cohort_members: cohort ${s3Cohort}: 127\\.0\\.0\\.1:\\d+ answered HTTP 403 \\(the link has expired\\); asking Amplitude for a fresh link \\(1/5\\)$`)),
      expect.stringMatching(/the link has expired\); asking Amplitude for a fresh link \(2\/5\)$/),
    ]);
    // The link's signature never reaches the log.
    expect(run.stderr).not.toContain('X-Amz-Signature');
  }, 60_000);

  it('stops at the monthly budget with one clear line, and goes on next time budget is left', async () => {
    const sim = await simulator();
    const ids = computed(sim).map((c) => String(c.id));
    const first = await runTap(sim, { cohort_download_budget: 2 });
    expect(first.code).toBe(0);
    expect(first.records).toEqual([...expected(sim, ids[0] as string), ...expected(sim, ids[1] as string)]);
    const budgetLine = `WARNING stream cohort_members: stopped: the monthly budget of 2 cohort downloads (cohort_download_budget) is spent for ${new Date().toISOString().slice(0, 7)}; not downloaded: ${ids[2]} (they are downloaded on a later run once budget is left; raise cohort_download_budget, at most Amplitude's 500 a month)`;
    expect(stderrLines(first).filter((l) => l.startsWith('WARNING'))).toEqual([budgetLine]);
    const state = lastState(first.messages);

    const again = await runTap(sim, { cohort_download_budget: 2 }, state);
    expect({ records: again.records.length, warnings: stderrLines(again).filter((l) => l.startsWith('WARNING')) }).toEqual({ records: 0, warnings: [budgetLine] });
    const raised = await runTap(sim, { cohort_download_budget: 3 }, state);
    expect(raised.records).toEqual(expected(sim, ids[2] as string));
    expect(cohortRequests(sim)).toEqual(ids);
  }, 60_000);

  it('a list of IDs: an unknown ID is a warning, a cohort not computed yet is skipped, the rest is downloaded', async () => {
    const sim = await simulator();
    const uploaded = String(computed(sim)[2]?.id);
    const notComputed = String(sim.truth.cohorts().find((c) => c.finished !== true)?.id);
    const run = await runTap(sim, { cohort_ids: ['nosuch01', uploaded, notComputed], cohort_member_properties: [] });
    expect(run.code).toBe(0);
    expect(run.records).toEqual(expected(sim, uploaded, []));
    expect(run.records[0]?.properties).toEqual({});
    expect(stderrLines(run).filter((l) => l.startsWith('WARNING'))).toEqual(['WARNING stream cohort_members: cohort nosuch01 (in cohort_ids) is not among the project\'s cohorts; check the ID']);
    expect(run.stderr).toContain(`INFO stream cohort_members: cohort ${notComputed} has not been computed yet; nothing to download`);
    expect(sim.requests.find((r) => r.path.startsWith('/api/5/'))?.query).toEqual({ props: '0' });
  }, 60_000);

  it('refuses a bookmark it cannot read before anything is written (exit 2)', async () => {
    const sim = await simulator();
    const run = await runTap(sim, {}, { bookmarks: { cohort_members: { cohorts: { abc: { lastComputed: 'yesterday' } } } } });
    expect({ code: run.code, stdout: run.messages.length, stderr: stderrLines(run) }).toEqual({
      code: 2,
      stdout: 0,
      stderr: ['CRITICAL state: bookmarks["cohort_members"]: "cohorts"["abc"] must be {"lastComputed": <epoch seconds>, "lastMod": <epoch seconds or null>}'],
    });
    expect(sim.requests).toEqual([]);
  }, 60_000);

  it('--test lists the cohorts but spends no download', async () => {
    const sim = await simulator();
    const result = await runCli([...tapArgs(sim), '--test'], { timeoutMs: 60_000, env: ENV });
    expect({ code: result.code, downloads: sim.requests.filter((r) => r.path.startsWith('/api/5/')).length }).toEqual({ code: 0, downloads: 0 });
    expect(sim.requests.map((r) => r.path)).toEqual(['/api/3/cohorts']);
    expect(result.stderr).toContain('INFO stream cohort_members: a test run lists the cohorts (3 to download) but downloads none: each download spends one of the 500 a month');
  }, 60_000);

  it('is off by default: without cohort_ids nothing is requested', async () => {
    const sim = await simulator();
    const run = await runTap(sim, { cohort_ids: undefined });
    expect({ code: run.code, records: run.records.length, requests: sim.requests.length }).toEqual({ code: 0, records: 0, requests: 0 });
    expect(run.stderr).toContain('INFO stream cohort_members: cohort_ids is empty, so no cohort is downloaded (set it to a list of cohort IDs or "all")');
  }, 60_000);
});

describe('SIGKILL in the middle of a download, then a rerun from the last STATE', () => {
  it('resumes with the next cohort in the list: every member once, the finished cohort not downloaded again', async () => {
    requireBuild();
    const sim = await simulator();
    const ids = computed(sim).map((c) => String(c.id));
    // The S3 cohort (second in the list) trickles in: the tap is killed while it downloads it.
    sim.cohortDownloads.s3Fault = { path: /./, kind: 'slow', bytesPerSecond: 4000 };
    const lines: string[] = [];
    const child = spawn(process.execPath, [cliPath, ...tapArgs(sim)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...ENV } });
    child.stderr.resume();
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
    const watcher = setInterval(() => {
      if (sim.cohortDownloads.s3Requests.length > 0) setTimeout(() => child.kill('SIGKILL'), 300);
    }, 20);
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, s) => resolve(s)));
    clearInterval(watcher);
    expect(signal).toBe('SIGKILL');
    const firstMessages = parseMessages(lines.join('\n'));
    const firstRecords = recordsOf(firstMessages, 'cohort_members');
    // The first cohort is complete and checkpointed; nothing of the one being downloaded was written.
    expect(firstRecords).toEqual(expected(sim, ids[0] as string));
    const state = lastState(firstMessages) as { bookmarks: { cohort_members: { cohorts: Row; downloads: Row } } };
    expect(Object.keys(state.bookmarks.cohort_members.cohorts)).toEqual([ids[0]]);
    expect(state.bookmarks.cohort_members.downloads.requests).toBe(2);

    sim.cohortDownloads.s3Fault = undefined;
    const second = await runTap(sim, {}, state);
    expect(second.code).toBe(0);
    expect(cohortRequests(sim)).toEqual([ids[0], ids[1], ids[1], ids[2]]);
    expect([...firstRecords, ...second.records]).toEqual(ids.flatMap((id) => expected(sim, id)));
    // The killed tap's temporary directory was removed by the rerun.
    expect(readdirSync(os.tmpdir()).filter((name) => name.includes(`-${child.pid}-`))).toEqual([]);
  }, 120_000);
});
