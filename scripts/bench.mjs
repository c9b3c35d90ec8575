#!/usr/bin/env node
// `make bench`: how fast the events stream runs, measured against a minimal Node pipeline on the
// same archives, plus discovery time and chart unpivot throughput. Synthetic Export API archives
// (simulator events: nested property bags, several members per hour) of about 100 MB, 400 MB and
// 1.6 GB uncompressed are written once under bench/data/ and reused. For each, the built CLI syncs
// the events stream only, downloading the archive over HTTP from the in-process simulator like a
// real run, to /dev/null; scripts/bench-reference.mjs then reads the same file. The table goes to
// stdout and to bench/results.md. scripts/bench-bucket.mjs then syncs the same events from a local
// S3 server laid out as Amplitude's bucket export (events_source "s3") and compares per event.
//
// A network-bound scenario follows: the simulator answers every export request after a fixed delay
// (as Amplitude does while it builds an archive) over one shared link of capped bandwidth, for 48
// one-hour windows; the tap's wall time is set against the floor five concurrent requests allow
// (windows × delay / 5, plus the bytes over the link), with the most requests the simulator saw in
// flight at once.
//
// Env: BENCH_SIZES_MB (default 100,400,1600), BENCH_RUNS (default 2: best wall time, highest RSS of N runs),
// BENCH_CLI (default dist/cli.js: another build of the tap, to compare before and after a change),
// BENCH_NETWORK=0 skips the network-bound scenario.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, statfsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bucketScenario } from './bench-bucket.mjs';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.resolve(process.env.BENCH_CLI ?? path.join(root, 'dist', 'cli.js'));
const referenceScript = path.join(root, 'scripts', 'bench-reference.mjs');
const simulatorDir = path.join(root, 'build', 'simulator');
const dataDir = path.join(root, 'bench', 'data');
const resultsFile = path.join(root, 'bench', 'results.md');

const SIZES_MB = (process.env.BENCH_SIZES_MB ?? '100,400,1600').split(',').map(Number);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 2));
const SEED = 1;
const HOURS = 24;
const MEMBERS_PER_HOUR = 4;
// Average simulator event line, measured; sizes are "about" anyway.
const EVENT_BYTES = 1730;
// Simulator archives compress about 6.5:1; the estimate errs on the large side.
const COMPRESSION = 5;
// Each size gets its own UTC day, long past (before Node 20.15 existed): the export lag the tap checks
// against the real clock is over, and the archives stay valid to reuse.
const FIRST_DAY_MS = Date.UTC(2024, 6, 1);
// process.resourceUsage().maxRSS (KiB) and the CPU time of all its threads (µs) of the measured
// process, written when it exits.
const RSS_PROBE =
  'data:text/javascript,' +
  encodeURIComponent(
    "import{writeFileSync}from'node:fs';process.on('exit',()=>{const u=process.resourceUsage();writeFileSync(process.env.BENCH_RSS_FILE,`${u.maxRSS} ${u.userCPUTime+u.systemCPUTime}`)})",
  );
const RSS_TARGET_MB = 250;
/** Tap time / reference time on the local archives, at most. */
const RATIO_TARGET = 0.8;
// The network-bound scenario.
const NET_WINDOWS = 48;
const NET_DELAY_MS = 1500;
const NET_BANDWIDTH = 4e6; // bytes per second, all responses together
const NET_EVENTS_PER_HOUR = 600;
const NET_CONCURRENCY = 5;
const NET_TARGET = 1.3;
const DISCOVERY_TARGET_S = 0.5;
const CELLS_TARGET = 1_000_000;

/** The Export API's hour parameter: 20260105T00. */
const hourParam = (ms) => new Date(ms).toISOString().slice(0, 13).replaceAll('-', '');
const mb = (bytes) => bytes / 1e6;
const fixed = (n, digits = 1) => n.toFixed(digits);

/**
 * The simulator's eventsPerHour that puts about sizeMb of events in the day: hour sizes scale
 * linearly with it, so one correction from the planned event count (no line generated) suffices.
 */
function eventsPerHourFor(sizeMb, startMs, model) {
  const wanted = (sizeMb * 1e6) / EVENT_BYTES;
  const plannedEvents = (eventsPerHour) => {
    const o = model.resolveOptions(simulatorOptions({ startMs, endMs: startMs + HOURS * HOUR_MS, eventsPerHour }));
    const plan = new model.Exporter(o).plan(startMs / HOUR_MS, startMs / HOUR_MS + HOURS - 1, o.now().getTime());
    return plan.reduce((sum, hour) => sum + hour.members.reduce((n, member) => n + member.length, 0), 0);
  };
  const guess = Math.round(wanted / HOURS);
  return Math.round((guess * wanted) / plannedEvents(guess));
}

function datasetFor(sizeMb, k, model) {
  const startMs = FIRST_DAY_MS + k * DAY_MS;
  const eventsPerHour = eventsPerHourFor(sizeMb, startMs, model);
  const name = `events-${sizeMb}mb-seed${SEED}-${eventsPerHour}eph-${hourParam(startMs).slice(0, 8)}`;
  return {
    sizeMb,
    startMs,
    endMs: startMs + HOURS * HOUR_MS,
    start: hourParam(startMs),
    end: hourParam(startMs + (HOURS - 1) * HOUR_MS),
    eventsPerHour,
    file: path.join(dataDir, `${name}.zip`),
    statsFile: path.join(dataDir, `${name}.json`),
  };
}

function simulatorOptions(d) {
  return {
    seed: SEED,
    dataStart: new Date(d.startMs).toISOString(),
    dataEnd: new Date(d.endMs).toISOString(),
    eventsPerHour: d.eventsPerHour,
    maxMembersPerHour: MEMBERS_PER_HOUR,
    now: () => new Date(d.endMs + 10 * DAY_MS),
  };
}

function checkDiskSpace(datasets) {
  const missing = datasets.filter((d) => !existsSync(d.statsFile));
  const archives = missing.reduce((sum, d) => sum + (d.sizeMb * 1e6) / COMPRESSION, 0);
  // The tap downloads the largest archive once more into the temporary directory.
  const download = Math.max(...datasets.map((d) => d.sizeMb)) * 1e6 / COMPRESSION;
  const free = (dir) => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  };
  const need = [
    [dataDir, archives + 256e6],
    [os.tmpdir(), download + 256e6],
  ];
  for (const [dir, bytes] of need) {
    if (free(dir) < bytes) {
      throw new Error(`${dir} has ${fixed(mb(free(dir)), 0)} MB free; the benchmark needs about ${fixed(mb(bytes), 0)} MB there (set BENCH_SIZES_MB for smaller archives)`);
    }
  }
}

/** Removes archives of other sizes or settings left by earlier runs, so bench/data/ holds one set. */
async function removeStaleArchives(datasets) {
  const current = new Set(datasets.flatMap((d) => [path.basename(d.file), path.basename(d.statsFile)]));
  for (const name of await readdir(dataDir)) {
    if (name.startsWith('events-') && !current.has(name)) await rm(path.join(dataDir, name), { force: true });
    const bucketOf = name.startsWith('bucket-') ? `${name.slice('bucket-'.length)}.zip` : null;
    if (bucketOf && !current.has(bucketOf)) await rm(path.join(dataDir, name), { recursive: true, force: true });
  }
}

/** Writes the archive unless an earlier run left it (its stats file is written last). */
async function ensureArchive(d, writeExportArchive) {
  if (existsSync(d.statsFile) && existsSync(d.file)) return JSON.parse(await readFile(d.statsFile, 'utf8'));
  const partial = `${d.file}.partial`;
  const started = performance.now();
  process.stdout.write(`generating ${path.relative(root, d.file)} (~${d.sizeMb} MB of events)... `);
  const stats = await writeExportArchive(simulatorOptions(d), d.start, d.end, partial);
  await rename(partial, d.file);
  const seconds = (performance.now() - started) / 1000;
  console.log(`${stats.events} events, ${fixed(mb(stats.uncompressedBytes))} MB in ${fixed(seconds)} s (${fixed(mb(stats.uncompressedBytes) / seconds)} MB/s)`);
  await writeFile(d.statsFile, JSON.stringify(stats) + '\n');
  return stats;
}

/** Runs `node args…` with stdout to /dev/null; wall seconds, peak RSS (MB), stderr and stdout text. */
async function measure(args, { stdoutToNull = true } = {}) {
  const rssFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'tap-bench-')), 'rss');
  const devNull = stdoutToNull ? openSync('/dev/null', 'w') : null;
  const started = performance.now();
  const child = spawn(process.execPath, [`--import=${RSS_PROBE}`, ...args], {
    cwd: root,
    env: { ...process.env, BENCH_RSS_FILE: rssFile },
    stdio: ['ignore', devNull ?? 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const code = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  if (devNull !== null) closeSync(devNull);
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${code}:\n${stderr.slice(-2000)}`);
  const [maxRss, cpuMicros] = (await readFile(rssFile, 'utf8')).split(' ').map(Number);
  const rssMb = maxRss / 1024;
  const cpuSeconds = cpuMicros / 1e6;
  await rm(path.dirname(rssFile), { recursive: true, force: true });
  return { seconds, cpuSeconds, rssMb, stdout, stderr };
}

async function runTap(d, sim, workDir, catalogFile) {
  const config = {
    api_key: sim.options.apiKey,
    secret_key: sim.options.secretKey,
    api_url: sim.url,
    start_date: new Date(d.startMs).toISOString(),
    end_date: new Date(d.endMs).toISOString(),
    events_window_hours: HOURS,
  };
  const configFile = path.join(workDir, `config-${d.sizeMb}.json`);
  await writeFile(configFile, JSON.stringify(config));
  const run = await measure([cli, '--config', configFile, '--catalog', catalogFile]);
  const done = /stream events: done, ([\d,]+) records?/.exec(run.stderr);
  return { ...run, events: done ? Number(done[1].replaceAll(',', '')) : NaN };
}

async function runReference(d) {
  const run = await measure([referenceScript, d.file], { stdoutToNull: false });
  return { ...run, events: Number(run.stdout.trim()) };
}

/** Discovery wall time (process start to exit), median of 5. */
async function discoveryTime(configFile, catalogFile) {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const run = await measure([cli, '--config', configFile, '--discover'], { stdoutToNull: false });
    times.push(run.seconds);
    if (i === 0) await writeFile(catalogFile, eventsOnly(run.stdout));
  }
  times.sort((a, b) => a - b);
  return times[2];
}

/** The discovered catalog with only the `events` stream selected (all its fields). */
function eventsOnly(catalogText) {
  const catalog = JSON.parse(catalogText);
  for (const stream of catalog.streams) {
    const top = stream.metadata.find((m) => m.breadcrumb.length === 0);
    top.metadata.selected = stream.tap_stream_id === 'events';
  }
  return JSON.stringify(catalog);
}

/** Chart unpivot: parseChartCsv (bundled as the CLI is) on a 3,000-segment × 365-day chart rendered by the simulator; best of 3. */
async function chartThroughput() {
  const bundled = path.join(root, 'build', 'bench-chart-csv');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--outdir', bundled, 'src/amplitude/chart-csv.ts'], { stdio: 'inherit' });
  const { parseChartCsv } = await import(pathToFileURL(path.join(bundled, 'chart-csv.js')).href);
  const { renderChartCsv } = await import(pathToFileURL(path.join(simulatorDir, 'chart-csv.js')).href);
  const days = Array.from({ length: 365 }, (_, i) => new Date(FIRST_DAY_MS + i * DAY_MS).toISOString().slice(0, 10));
  const rows = Array.from({ length: 3000 }, (_, r) => [`Segment ${r}`, ...days.map((_, i) => String((r * 31 + i * 7) % 1000))]);
  const csv = renderChartCsv({
    title: 'Benchmark chart',
    description: ['3,000 segments over a year'],
    tables: [{ metric: 'Uniques', events: ['Page Viewed'], filters: null, header: ['Segment', ...days], labelColumns: 1, rows }],
  });
  let best = Infinity;
  let cells = 0;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    cells = parseChartCsv(csv).cells.length;
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return { cells, seconds: best, csvMb: mb(Buffer.byteLength(csv)) };
}

/**
 * 48 one-hour windows from a simulator that answers each export request after NET_DELAY_MS and
 * sends all bodies through one link of NET_BANDWIDTH bytes/s. Floor: the delays five at a time,
 * plus every byte over the link.
 */
async function networkScenario(createSimulator, workDir, catalogFile) {
  // Long past, like the archives above: every hour is exportable by the real clock.
  const endMs = FIRST_DAY_MS - 10 * DAY_MS;
  const startMs = endMs - NET_WINDOWS * HOUR_MS;
  const sim = await createSimulator({
    seed: SEED,
    dataStart: new Date(startMs).toISOString(),
    dataEnd: new Date(endMs).toISOString(),
    eventsPerHour: NET_EVENTS_PER_HOUR,
    maxMembersPerHour: MEMBERS_PER_HOUR,
    bandwidthBytesPerSecond: NET_BANDWIDTH,
    now: () => new Date(endMs + 10 * DAY_MS),
  });
  try {
    sim.faults.add({ path: '/api/2/export', kind: 'delay', delayMs: NET_DELAY_MS });
    const config = {
      api_key: sim.options.apiKey,
      secret_key: sim.options.secretKey,
      api_url: sim.url,
      start_date: new Date(startMs).toISOString(),
      end_date: new Date(endMs).toISOString(),
      events_window_hours: 1,
      max_concurrency: NET_CONCURRENCY,
    };
    const configFile = path.join(workDir, 'config-network.json');
    await writeFile(configFile, JSON.stringify(config));
    process.stdout.write(`network-bound: ${NET_WINDOWS} windows, ${NET_DELAY_MS} ms before each answer, ${fixed(NET_BANDWIDTH / 1e6)} MB/s link... `);
    const run = await measure([cli, '--config', configFile, '--catalog', catalogFile]);
    const done = /stream events: done, ([\d,]+) records?/.exec(run.stderr);
    const events = done ? Number(done[1].replaceAll(",", "")) : NaN;
    const truth = sim.truth.events(hourParam(startMs), hourParam(endMs - HOUR_MS)).length;
    if (events !== truth) throw new Error(`network-bound run wrote ${events} events, the simulator holds ${truth}`);
    // Bytes downloaded, from the tap's per-window progress lines.
    const bytes = [...run.stderr.matchAll(/progress: stream=events .* mb=(\d+\.\d)/g)].reduce((sum, m) => sum + Number(m[1]) * 1e6, 0);
    const exports = sim.requests.filter((r) => r.path === '/api/2/export');
    const floor = (NET_WINDOWS * NET_DELAY_MS) / 1000 / NET_CONCURRENCY + bytes / NET_BANDWIDTH;
    const result = { seconds: run.seconds, floor, bytes, events, requests: exports.length, peak: sim.maxConcurrencySeen(), rssMb: run.rssMb };
    console.log(`${fixed(run.seconds, 1)} s (floor ${fixed(floor, 1)} s), peak ${result.peak} in flight`);
    return result;
  } finally {
    await sim.stop();
  }
}

function networkReport(n) {
  return [
    '## Network-bound export',
    '',
    `Events-only sync of ${NET_WINDOWS} one-hour windows (${n.events} events, ${fixed(n.bytes / 1e6)} MB of archives) from the simulator answering each export request after ${NET_DELAY_MS} ms, all bodies sharing one ${fixed(NET_BANDWIDTH / 1e6)} MB/s link, max_concurrency ${NET_CONCURRENCY}; one run, process start to exit; the simulator runs in the benchmark's process. Floor: ${NET_WINDOWS} × ${NET_DELAY_MS / 1000} s / ${NET_CONCURRENCY} + ${fixed(n.bytes / 1e6)} MB / ${fixed(NET_BANDWIDTH / 1e6)} MB/s.`,
    '',
    '| windows | requests | wall s | floor s | wall / floor | peak in flight | peak RSS MB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${NET_WINDOWS} | ${n.requests} | ${fixed(n.seconds, 1)} | ${fixed(n.floor, 1)} | ${fixed(n.seconds / n.floor, 2)} | ${n.peak} | ${fixed(n.rssMb, 0)} |`,
  ].join('\n');
}

function table(rows) {
  const header = ['archive', 'events', 'MB', 'tap s', 'tap CPU s', 'events/s', 'MB/s', 'peak RSS MB', 'reference s', 'reference CPU s', 'reference RSS MB', 'tap / reference'];
  const lines = [header, header.map((h, i) => (i === 0 ? '---' : '---:'))];
  for (const r of rows) {
    lines.push([
      `~${r.d.sizeMb} MB`,
      String(r.events),
      fixed(r.mb),
      fixed(r.tap.seconds, 2),
      fixed(r.tap.cpuSeconds, 2),
      String(Math.round(r.events / r.tap.seconds)),
      fixed(r.mb / r.tap.seconds),
      fixed(r.tap.rssMb, 0),
      fixed(r.ref.seconds, 2),
      fixed(r.ref.cpuSeconds, 2),
      fixed(r.ref.rssMb, 0),
      fixed(r.tap.seconds / r.ref.seconds, 2),
    ]);
  }
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

const verdict = (ok) => (ok ? 'met' : 'NOT met');

async function main() {
  const loadAtStart = os.loadavg();
  for (const needed of [cli, path.join(simulatorDir, 'server.js')]) {
    if (!existsSync(needed)) throw new Error(`${path.relative(root, needed)} is missing: run \`make bench\` (it builds the tap and the simulator first)`);
  }
  await mkdir(dataDir, { recursive: true });
  const simulatorModule = (name) => import(pathToFileURL(path.join(simulatorDir, name)).href);
  const { createSimulator, writeExportArchive } = await simulatorModule('server.js');
  const model = { ...(await simulatorModule('export.js')), ...(await simulatorModule('options.js')) };
  const datasets = SIZES_MB.map((sizeMb, k) => datasetFor(sizeMb, k, model));
  await removeStaleArchives(datasets);
  checkDiskSpace(datasets);
  const stats = [];
  for (const d of datasets) stats.push(await ensureArchive(d, writeExportArchive));

  const workDir = await mkdtemp(path.join(os.tmpdir(), 'tap-bench-'));
  const sim = await createSimulator({ seed: SEED, now: () => new Date(FIRST_DAY_MS + 60 * DAY_MS) });
  try {
    for (const d of datasets) sim.serveArchiveFile(d.start, d.end, d.file);
    const catalogFile = path.join(workDir, 'catalog.json');
    const discoveryConfig = path.join(workDir, 'config-discover.json');
    await writeFile(discoveryConfig, JSON.stringify({ start_date: '2026-01-01' }));
    const discovery = await discoveryTime(discoveryConfig, catalogFile);
    const chart = await chartThroughput();
    const network = process.env.BENCH_NETWORK === '0' ? null : await networkScenario(createSimulator, workDir, catalogFile);

    const rows = datasets.map((d, i) => ({ d, events: stats[i].events, mb: mb(stats[i].uncompressedBytes), tap: null, ref: null }));
    for (let run = 1; run <= RUNS; run++) {
      for (const r of rows) {
        process.stdout.write(`run ${run}/${RUNS}, ~${r.d.sizeMb} MB: reference... `);
        const ref = await runReference(r.d);
        process.stdout.write(`${fixed(ref.seconds, 2)} s; tap... `);
        const tap = await runTap(r.d, sim, workDir, catalogFile);
        console.log(`${fixed(tap.seconds, 2)} s`);
        for (const [what, got] of [['tap', tap.events], ['reference', ref.events]]) {
          if (got !== r.events) throw new Error(`${what} read ${got} events from ${path.basename(r.d.file)}, the simulator wrote ${r.events}`);
        }
        // Best wall time (with that run's CPU time), worst peak RSS.
        const best = (prev, now) => (prev === null || now.seconds < prev.seconds ? now : prev);
        r.tap = { ...best(r.tap, tap), rssMb: Math.max(r.tap?.rssMb ?? 0, tap.rssMb) };
        r.ref = { ...best(r.ref, ref), rssMb: Math.max(r.ref?.rssMb ?? 0, ref.rssMb) };
      }
    }

    const rss = rows.map((r) => r.tap.rssMb);
    const ratios = rows.map((r) => r.tap.seconds / r.ref.seconds);
    const growth = rss[rss.length - 1] / rss[0] - 1;
    const cellsPerS = chart.cells / chart.seconds;
    const targets = [
      ...(network
        ? [
            `- network-bound wall time ≤ ${NET_TARGET}× its floor: ${fixed(network.seconds, 1)} s against ${fixed(network.floor, 1)} s = ${fixed(network.seconds / network.floor, 2)}× — ${verdict(network.seconds <= NET_TARGET * network.floor)}`,
            `- ${NET_CONCURRENCY} export requests in flight at the peak, never more: ${network.peak} — ${verdict(network.peak === NET_CONCURRENCY)}`,
          ]
        : []),
      `- tap time ≤ ${RATIO_TARGET} × the reference's on the local archives: ${ratios.map((x) => fixed(x, 2)).join(', ')} — ${verdict(ratios.every((x) => x <= RATIO_TARGET))}`,
      `- peak RSS ≤ ${RSS_TARGET_MB} MB at every size: ${rss.map((x) => fixed(x, 0)).join(', ')} MB — ${verdict(rss.every((x) => x <= RSS_TARGET_MB))}`,
      `- largest size's RSS within 10% of the smallest's: ${growth >= 0 ? '+' : ''}${fixed(growth * 100)}% — ${verdict(growth <= 0.1)}`,
      `- discovery < ${DISCOVERY_TARGET_S} s: ${fixed(discovery, 2)} s (median of 5, process start to exit) — ${verdict(discovery < DISCOVERY_TARGET_S)}`,
      `- chart unpivot ≥ 1 M cells/s: ${fixed(cellsPerS / 1e6, 2)} M cells/s (${chart.cells} cells from ${fixed(chart.csvMb)} MB of CSV in ${fixed(chart.seconds, 2)} s) — ${verdict(cellsPerS >= CELLS_TARGET)}`,
    ].join('\n');
    const bucket = await bucketScenario({ datasets, rows, runs: RUNS, measure, simulatorOptions, simulatorDir, dataDir, cli, workDir, catalogFile });
    const cpu = os.cpus();
    const machine = `${cpu.length} cores (${cpu[0]?.model ?? 'unknown CPU'}), ${fixed(os.totalmem() / 1024 ** 3)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
    const report = [
      '# Benchmark results',
      '',
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine}; load average (1, 5, 15 min) ${loadAtStart.map((x) => fixed(x, 2)).join(' ')} at the start, ${os.loadavg().map((x) => fixed(x, 2)).join(' ')} at the end.`,
      '',
      ...(network ? [networkReport(network), ''] : []),
      '## Local archives',
      '',
      `Events-only sync of one ${HOURS}-hour Export API window (simulator seed ${SEED}, up to ${MEMBERS_PER_HOUR} members per hour), downloaded over HTTP from the simulator and written to /dev/null; best wall time and highest peak RSS of ${RUNS} run(s), process start to exit. "tap / reference" is the tap's time divided by the reference's on the same archive (scripts/bench-reference.mjs: unzip, gunzip, split lines, JSON.parse, JSON.stringify to /dev/null, reading the file directly, on one thread). Peak RSS is the process's own maxRSS; CPU s is the user and system time of all its threads (the tap frames records on worker threads, so its CPU time can exceed its wall time on several cores).`,
      '',
      table(rows),
      '',
      'Targets:',
      '',
      targets,
      '',
      ...(bucket ? [bucket.markdown] : []),
      'Reproduce with `make bench` (archives are generated once under bench/data/ and reused; `make clean` removes them). This file is written whole by each run; notes on what changed the numbers, measured by hand, are in [notes.md](notes.md).',
      '',
    ].join('\n');
    console.log('');
    console.log(table(rows));
    console.log('');
    console.log(targets);
    if (bucket) console.log(`\n${bucket.table}\n\n${bucket.targets}`);
    await writeFile(resultsFile, report);
    console.log(`\nwritten to ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
  } finally {
    await sim.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
