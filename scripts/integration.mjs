#!/usr/bin/env node
// `make integration`: the tap's output loaded by the real Singer consumers found on PATH
// (singer-check-tap, target-jsonl, target-csv, pipelinewise target-postgres with a throwaway
// PostgreSQL from `pg-local`), twice: a full default sync, then an incremental run with its state,
// after the simulator's data (and so a chart's date range) moved on by two days. Everything is
// checked against the simulator's ground truth and the tap's own RECORDs. Not part of `make test`:
// CI has none of these programs. A missing consumer is reported as skipped; anything else failing
// exits 1.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { consumerChecks } from './integration/consumers.mjs';
import { Report, incrementalStreams, onPath, readMessages, runTap, summarise } from './integration/support.mjs';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const simulatorModule = path.join(root, 'build', 'simulator', 'server.js');
// A daily series (its 14 days move with the data), the recorded chart, a group-by and a two-table chart.
const MOVING_CHART = 'ts7d0a1b';
const CHART_IDS = [MOVING_CHART, 'gl9dulhv', 'gb2c3d4e', 'mt8c9d0e'];
const CONSUMERS = ['singer-check-tap', 'target-jsonl', 'target-csv', 'target-postgres'];

async function main() {
  for (const needed of [path.join(root, 'dist', 'cli.js'), simulatorModule]) {
    if (!existsSync(needed)) throw new Error(`${path.relative(root, needed)} is missing: run \`make integration\` (it builds first)`);
  }
  const { createSimulator } = await import(pathToFileURL(simulatorModule).href);
  const report = new Report();
  const work = await mkdtemp(path.join(os.tmpdir(), 'tap-amplitude-integration-'));
  const sims = [];
  try {
    // Run 1 sees data up to two days ago; run 2, with run 1's state, sees it up to now.
    const nowHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    const dataStart = new Date(nowHour - 5 * DAY_MS).toISOString();
    const firstEnd = new Date(nowHour - 2 * DAY_MS).toISOString();
    const options = { seed: 7, eventsPerHour: 12, dataStart };
    const sim1 = await createSimulator({ ...options, dataEnd: firstEnd });
    sims.push(sim1);
    const config = (sim, extra = {}) => ({
      api_url: sim.url,
      api_key: sim.options.apiKey,
      secret_key: sim.options.secretKey,
      start_date: dataStart,
      chart_ids: CHART_IDS,
      events_window_hours: 24,
      // Opt-in: every finished cohort's members, so cohort_members loads too.
      cohort_ids: 'all',
      ...extra,
    });
    const files = (name) => path.join(work, name);
    await writeFile(files('config1.json'), JSON.stringify(config(sim1, { end_date: firstEnd })));
    const discover = await runTap(['--config', files('config1.json'), '--discover'], files('catalog.json'), files('tap.log'));
    report.check('discovery', discover.code === 0, `exit ${discover.code}`);
    const incremental = incrementalStreams(JSON.parse(await readFile(files('catalog.json'), 'utf8')));

    const run1 = await runTap(['--config', files('config1.json'), '--catalog', files('catalog.json')], files('run1.jsonl'), files('tap.log'));
    report.check('tap run 1 (full default sync, data to two days ago)', run1.code === 0, `exit ${run1.code}`);
    const out1 = summarise(await readMessages(files('run1.jsonl')), incremental);
    await writeFile(files('state1.json'), JSON.stringify(out1.lastState));

    const sim2 = await createSimulator(options);
    sims.push(sim2);
    await writeFile(files('config2.json'), JSON.stringify(config(sim2)));
    const run2 = await runTap(['--config', files('config2.json'), '--catalog', files('catalog.json'), '--state', files('state1.json')], files('run2.jsonl'), files('tap.log'));
    report.check('tap run 2 (incremental with run 1 state, data to now)', run2.code === 0, `exit ${run2.code}`);
    const out2 = summarise(await readMessages(files('run2.jsonl')), incremental);

    checkVersions(report, out1, out2);
    checkTruth(report, sim2, out1, out2);
    await checkFailedChart(report, sim2, files, out2, incremental);

    const ctx = { report, work, files, out1, out2, sim: sim2, movingChart: `chart_${MOVING_CHART}` };
    for (const consumer of CONSUMERS) {
      if (!onPath(consumer)) {
        report.skip(`${consumer} not on PATH`);
        continue;
      }
      if (consumer === 'target-postgres' && !onPath('pg-local')) {
        report.skip('target-postgres: pg-local not on PATH (it provides the throwaway PostgreSQL)');
        continue;
      }
      await consumerChecks[consumer](ctx);
    }
  } finally {
    for (const sim of sims) await sim.stop();
    if (process.env.INTEGRATION_KEEP === '1') console.log(`kept: ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
  console.log(report.summary());
  process.exitCode = report.failed ? 1 : 0;
}

/** Full-table streams: RECORDs carry one version per run, ACTIVATE_VERSION around them; run 2 only after, newer. */
function checkVersions(report, out1, out2) {
  for (const [name, s1] of out1.streams) {
    const s2 = out2.streams.get(name);
    if (!s1.fullTable) {
      const versioned = [s1, s2].some((s) => s && (s.activates.length > 0 || s.records.some((r) => r.version !== undefined)));
      report.check(`${name}: incremental, no version and no ACTIVATE_VERSION`, !versioned);
      continue;
    }
    const [first, last] = [s1.activates[0], s1.activates.at(-1)];
    const firstOk =
      s1.activates.length === 2 && first.version === last.version && first.at < s1.firstRecordAt && last.at > s1.lastRecordAt && s1.records.every((r) => r.version === first.version);
    report.check(`${name}: run 1 (first sync) ACTIVATE_VERSION before the first and after the last of ${s1.records.length} RECORDs, all of version ${first?.version}`, firstOk);
    const only = s2?.activates[0];
    const secondOk = s2 && s2.activates.length === 1 && only.version > first.version && only.at > s2.lastRecordAt && s2.records.every((r) => r.version === only.version);
    report.check(`${name}: run 2 one ACTIVATE_VERSION after its ${s2?.records.length} RECORDs, version ${only?.version} newer than run 1's`, Boolean(secondOk));
  }
}

/** What the tap sent against the simulator's ground truth: events, the moving chart's days. */
function checkTruth(report, sim, out1, out2) {
  const uuids = new Set([...out1.streams.get('events').records, ...out2.streams.get('events').records].map((r) => r.record.uuid));
  const lastHour = sim.truth.lastExportableHour();
  const truth = sim.truth.events(sim.options.dataStart.slice(0, 13).replaceAll('-', ''), lastHour).map((e) => e.uuid);
  report.check(`events: the ${truth.length} events the simulator exported up to ${lastHour}, each once, over both runs`, truth.length === uuids.size && truth.every((u) => uuids.has(u)), `${uuids.size} distinct uuids`);
  const chart = sim.truth.chart(MOVING_CHART);
  const cells = chart.tables.reduce((n, t) => n + t.rows.length * (t.header.length - t.labelColumns), 0);
  const recs = out2.streams.get(`chart_${MOVING_CHART}`).records;
  const days = (out) => [...new Set(out.streams.get(`chart_${MOVING_CHART}`).records.map((r) => r.record.segment))].sort();
  const [d1, d2] = [days(out1), days(out2)];
  report.check(`chart_${MOVING_CHART}: run 2 holds the chart's ${cells} cells, ${d2[0]}..${d2.at(-1)}`, recs.length === cells && d2.at(-1) === chart.tables[0].header.at(-1));
  report.check(`chart_${MOVING_CHART}: the date range moved (${d1[0]}..${d1.at(-1)} → ${d2[0]}..${d2.at(-1)})`, d1[0] < d2[0] && d1.at(-1) < d2.at(-1));
}

/** A run where one chart fails: no ACTIVATE_VERSION for it, a newer one for the chart that was read. */
async function checkFailedChart(report, sim, files, out2, incremental) {
  await writeFile(files('config3.json'), JSON.stringify({ api_url: sim.url, api_key: sim.options.apiKey, secret_key: sim.options.secretKey, start_date: sim.options.dataStart, chart_ids: [MOVING_CHART, 'missing0'] }));
  await writeFile(files('state2.json'), JSON.stringify(out2.lastState));
  // No catalog: every stream of this config, so the deleted chart's stream is selected too.
  const run = await runTap(['--config', files('config3.json'), '--state', files('state2.json')], files('run3.jsonl'), files('tap.log'));
  const out = summarise(await readMessages(files('run3.jsonl')), incremental);
  const ok = out.streams.get(`chart_${MOVING_CHART}`);
  const missing = out.streams.get('chart_missing0');
  const prev = out2.streams.get(`chart_${MOVING_CHART}`).activates[0].version;
  report.check(
    `run 3 with a deleted chart: exit 1; chart_${MOVING_CHART} activated with ${ok?.activates[0]?.version} > ${prev}; no ACTIVATE_VERSION for chart_missing0 or charts_metadata`,
    run.code === 1 && ok?.activates.length === 1 && ok.activates[0].version > prev && missing !== undefined && missing.activates.length === 0 && (out.streams.get('charts_metadata')?.activates.length ?? 0) === 0,
    `exit ${run.code}`,
  );
}

main().catch((err) => {
  console.error(`integration: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
