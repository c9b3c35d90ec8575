#!/usr/bin/env node
// `make demo`: the first run, end to end, with no Amplitude account. Starts the bundled Amplitude
// simulator on a free port, writes a config for it, runs discovery and a full sync of every stream
// through the built CLI (exactly as a Singer runner would: a child process, Singer messages on
// stdout, logs on stderr) and prints what came out. Everything lands in demo-output/.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
const simulatorModule = path.join(root, 'build', 'simulator', 'server.js');
// DEMO_OUTPUT_DIR lets a test run the demo without touching the checkout's demo-output/.
const outDir = process.env.DEMO_OUTPUT_DIR ? path.resolve(process.env.DEMO_OUTPUT_DIR) : path.join(root, 'demo-output');
const files = {
  config: path.join(outDir, 'config.json'),
  catalog: path.join(outDir, 'catalog.json'),
  output: path.join(outDir, 'output.jsonl'),
  state: path.join(outDir, 'state.json'),
  log: path.join(outDir, 'tap.log'),
};
// One saved chart per layout the simulator knows (docs/chart-layouts.md; the id prefix picks it),
// starting with the recorded real chart, and three of them again exported without TABs (`plain`).
const CHART_LAYOUT_IDS = ['gl9dulhv', 'ts7d0a1b', 'wk1e2f3a', 'gb2c3d4e', 'ml4b5c6d', 'fn5f6a7b', 'pc7e8f9a', 'mt8c9d0e', 'em0a1b2c', 'fl3d4e5f',
  'mo6a7b8c', 'wn9d0e1f', 'fo2a3b4c', 'fr5d6e7f', 'rt8a9b0c', 'cp1d2e3f', 'fm4a5b6c', 'bm7d8e9f', 'lb0a1b2c', 'nm3d4e5f'];
const CHART_IDS = [...CHART_LAYOUT_IDS, 'gl9dulhvplain', 'fo2a3b4cplain', 'bm7d8e9fplain'];
// Three days of events in 12-hour Export API windows: several windows, several STATE checkpoints.
const EVENTS_WINDOW_HOURS = 12;
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 };

let running; // the tap child process in flight, so that Ctrl-C reaches it and the simulator stops after it
let stoppedBy;
const problems = [];

/** Runs the built CLI; stdout goes to `stdoutFile`, stderr is appended to the log. Resolves with the exit code once the file is complete. */
async function runTap(args, stdoutFile, log) {
  const out = createWriteStream(stdoutFile);
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  running = child;
  child.stdout.pipe(out);
  child.stderr.pipe(log, { end: false });
  // Errors and critical lines are shown again on the console if the run fails.
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (/^(CRITICAL|ERROR) /.test(line)) problems.push(line);
  });
  const [code, signal] = await once(child, 'close');
  running = undefined;
  await finished(out);
  return code ?? SIGNAL_EXIT[signal] ?? 1;
}

/** Reads output.jsonl line by line: records per stream (in the order of their SCHEMA) and the last STATE. */
async function summarise(file) {
  const records = new Map();
  let states = 0;
  let lastState;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line === '') continue;
    const message = JSON.parse(line);
    if (message.type === 'SCHEMA' && !records.has(message.stream)) records.set(message.stream, 0);
    else if (message.type === 'RECORD') records.set(message.stream, (records.get(message.stream) ?? 0) + 1);
    else if (message.type === 'STATE') {
      states++;
      lastState = message.value;
    }
  }
  return { records, states, lastState };
}

const relative = (file) => path.relative(process.cwd(), file) || '.';

async function main() {
  for (const needed of [cli, simulatorModule]) {
    if (!existsSync(needed)) throw new Error(`${relative(needed)} is missing: run \`make demo\` (it builds the tap and the simulator first)`);
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });

  const { createSimulator } = await import(pathToFileURL(simulatorModule).href);
  const now = Date.now();
  // Simulated data from four days back, so the three days the demo asks for are all there.
  // Cohort download jobs complete at the first status poll, so the demo does not wait on them.
  const sim = await createSimulator({ port: 0, seed: 1, cohortPolls: 0, dataStart: new Date(Math.floor(now / HOUR_MS) * HOUR_MS - 4 * DAY_MS).toISOString() });
  const log = createWriteStream(files.log);
  try {
    console.log(`Amplitude simulator on ${sim.url} (demo credentials ${sim.options.apiKey} / ${sim.options.secretKey})`);
    const config = {
      api_key: sim.options.apiKey,
      secret_key: sim.options.secretKey,
      api_url: sim.url,
      start_date: new Date(now - 3 * DAY_MS).toISOString().slice(0, 10),
      chart_ids: CHART_IDS,
      cohort_ids: 'all',
      cohort_member_properties: ['country'],
      events_window_hours: EVENTS_WINDOW_HOURS,
    };
    await writeFile(files.config, JSON.stringify(config, null, 2) + '\n');

    console.log('Discovering streams...');
    const discovered = await runTap(['--config', files.config, '--discover'], files.catalog, log);
    if (discovered !== 0) return fail('discovery', discovered);

    console.log(`Syncing every stream from ${config.start_date} (events in ${EVENTS_WINDOW_HOURS}-hour windows)...`);
    const started = performance.now();
    const synced = await runTap(['--config', files.config, '--catalog', files.catalog], files.output, log);
    const seconds = (performance.now() - started) / 1000;

    const { records, states, lastState } = await summarise(files.output);
    if (lastState !== undefined) await writeFile(files.state, JSON.stringify(lastState, null, 2) + '\n');
    const width = Math.max(...[...records.keys()].map((s) => s.length), 'stream'.length);
    console.log('');
    console.log(`${'stream'.padEnd(width)}  records`);
    for (const [stream, count] of records) console.log(`${stream.padEnd(width)}  ${String(count).padStart(7)}`);
    const total = [...records.values()].reduce((a, b) => a + b, 0);
    console.log(`${'total'.padEnd(width)}  ${String(total).padStart(7)}`);
    console.log('');
    console.log(`Sync took ${seconds.toFixed(1)} s; ${states} STATE checkpoints.`);
    console.log('Files:');
    console.log(`  ${relative(files.config)}   settings used (simulator URL and demo credentials)`);
    console.log(`  ${relative(files.catalog)}  output of --discover`);
    console.log(`  ${relative(files.output)}  Singer messages (SCHEMA, RECORD, STATE)`);
    console.log(`  ${relative(files.state)}    value of the last STATE${lastState === undefined ? ' (not written: no STATE came out)' : ''}`);
    console.log(`  ${relative(files.log)}       the tap's log (stderr)`);
    if (synced !== 0) return fail('sync', synced);
    console.log('');
    console.log('Next, with your own project: copy sample-config.json to config.json, fill in the keys, then');
    console.log('  node dist/cli.js --config config.json --test');
    return 0;
  } finally {
    await sim.stop();
    await new Promise((resolve) => log.end(resolve));
  }
}

function fail(step, code) {
  const what = stoppedBy !== undefined ? 'was stopped' : 'failed';
  console.error(`\nThe ${step} ${what} (tap exit code ${code}). From ${relative(files.log)}:`);
  for (const line of problems.slice(-5)) console.error(`  ${line}`);
  return stoppedBy ?? code;
}

for (const signal of Object.keys(SIGNAL_EXIT)) {
  process.on(signal, () => {
    stoppedBy = SIGNAL_EXIT[signal];
    // The tap stops cleanly on the signal; main() then stops the simulator and exits.
    running?.kill(signal);
  });
}

main().then(
  (code) => process.exit(stoppedBy ?? code),
  (error) => {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
