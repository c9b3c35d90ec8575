// Memory stays flat whatever the cohort size: the built CLI downloads a cohort of a million members
// (a gzip CSV served through the S3 stand-in), writes exactly one record per member, and its peak
// resident set size stays under 250 MB. A tap that held the file or the members in memory would
// exceed it (checked by hand: a build that collected every member before emitting any peaked at about 400 MB;
// the streaming build peaks at about 125 MB).
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { tempDir, writeJson } from '../helpers/cli.js';
import { cliPath } from '../helpers/paths.js';
import { createSimulator, type Simulator } from '../simulator/server.js';
import { requireBuild, supportDir } from './support/e2e.js';

const MEMBERS = 1_000_000;
const PEAK_RSS_MB = 250;

const dir = tempDir('tap-amplitude-cohort-memory-');
let sim: Simulator;

beforeAll(async () => {
  requireBuild();
  sim = await createSimulator({ cohortSizes: { 0: MEMBERS }, cohortPolls: 1 });
});
afterAll(async () => {
  await sim?.stop();
});

it(`streams a cohort of ${MEMBERS.toLocaleString('en-US')} members with a peak RSS under ${PEAK_RSS_MB} MB`, async () => {
  const cohortId = String(sim.truth.cohorts()[0]?.id);
  const config = { api_key: sim.options.apiKey, secret_key: sim.options.secretKey, api_url: sim.url, start_date: '2026-01-01', cohort_ids: [cohortId], cohort_member_properties: ['country'] };
  const catalog = { streams: [{ tap_stream_id: 'cohort_members', metadata: [{ breadcrumb: [], metadata: { selected: true } }] }] };
  const rssFile = path.join(dir, 'max-rss');
  const args = ['--import', path.join(supportDir, 'max-rss.mjs'), cliPath, '--config', writeJson(dir, 'config.json', config), '--catalog', writeJson(dir, 'catalog.json', catalog)];
  const run = await new Promise<{ code: number | null; records: number; first: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MAX_RSS_FILE: rssFile, TAP_AMPLITUDE_COHORT_POLL_MS: '5,20' } });
    let records = 0;
    let first = '';
    let stderr = '';
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      if (!line.startsWith('{"type":"RECORD","stream":"cohort_members",')) return;
      if (records === 0) first = line;
      records++;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, records, first, stderr });
    });
  });
  expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(run.records).toBe(MEMBERS);
  const [member] = sim.truth.cohortMembers(cohortId, ['country']).slice(0, 1);
  expect((JSON.parse(run.first) as { record: unknown }).record).toEqual(expect.objectContaining({ cohort_id: cohortId, ...member }));
  expect(sim.cohortDownloads.s3Requests.map((r) => r.status)).toEqual([200]);
  const peakMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
  expect(peakMb).toBeLessThan(PEAK_RSS_MB);
}, 180_000);
