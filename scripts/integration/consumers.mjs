// One check per consumer of `make integration`, each fed run 1's then run 2's tap output.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { bigIntegers, distinctKeys, keyOf, run } from './support.mjs';

const RUNS = ['run1', 'run2'];

/** Big integers of the events' RECORDs: uuid → digit strings. */
function bigIntsByUuid(ctx) {
  const out = new Map();
  for (const o of [ctx.out1, ctx.out2]) {
    for (const r of o.streams.get('events').records) if (r.raw && bigIntegers(r.raw).length > 0) out.set(r.record.uuid, bigIntegers(r.raw));
  }
  return out;
}

const recordCount = (ctx, name) => RUNS.reduce((n, r) => n + (ctx[r === 'run1' ? 'out1' : 'out2'].streams.get(name)?.records.length ?? 0), 0);

async function feed(ctx, consumer, args, dir) {
  const results = [];
  for (const r of RUNS) {
    const res = await run(consumer, args, { stdin: ctx.files(`${r}.jsonl`), stdout: path.join(dir, `${r}.out`), log: path.join(dir, 'stderr.log'), cwd: dir });
    ctx.report.check(`${consumer}: ${r} loaded, exit 0`, res.code === 0, `exit ${res.code}: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    results.push(res);
  }
  return results;
}

async function lastLine(file) {
  const lines = (await readFile(file, 'utf8')).trim().split('\n');
  return lines.at(-1) ?? '';
}

async function singerCheckTap(ctx) {
  const dir = path.join(ctx.work, 'singer-check-tap');
  await mkdir(dir);
  await feed(ctx, 'singer-check-tap', [], dir);
}

async function targetJsonl(ctx) {
  const dir = path.join(ctx.work, 'target-jsonl');
  await mkdir(path.join(dir, 'out'), { recursive: true });
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ destination_path: path.join(dir, 'out'), do_timestamp_file: false }));
  const [, second] = await feed(ctx, 'target-jsonl', ['-c', 'config.json'], dir);
  ctx.report.check('target-jsonl: warns about ACTIVATE_VERSION and goes on', /Unknown message type ACTIVATE_VERSION/.test(second.stderr));
  ctx.report.check('target-jsonl: emits the tap\'s last STATE', JSON.stringify(JSON.parse(await lastLine(path.join(dir, 'run2.out')))) === JSON.stringify(ctx.out2.lastState));
  for (const name of ctx.out1.streams.keys()) {
    const text = await readFile(path.join(dir, 'out', `${name}.jsonl`), 'utf8').catch(() => '');
    const lines = text.split('\n').filter(Boolean);
    ctx.report.check(`target-jsonl: ${name}.jsonl has the ${recordCount(ctx, name)} records of both runs (an append-only file)`, lines.length === recordCount(ctx, name), `${lines.length} lines`);
  }
  const events = await readFile(path.join(dir, 'out', 'events.jsonl'), 'utf8');
  const big = [...bigIntsByUuid(ctx).values()].flat();
  ctx.report.check(`target-jsonl: the ${big.length} property-bag integers above 2^53 kept exactly`, big.length > 0 && big.every((d) => events.includes(d)));
}

/** RFC 4180 records in a CSV text (quoted fields may hold newlines). */
function csvRecords(text) {
  let n = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\n' && !quoted) n++;
  }
  return n;
}

async function targetCsv(ctx) {
  const dir = path.join(ctx.work, 'target-csv');
  await mkdir(path.join(dir, 'out'), { recursive: true });
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ destination_path: path.join(dir, 'out'), disable_collection: true }));
  const [, second] = await feed(ctx, 'target-csv', ['-c', 'config.json'], dir);
  ctx.report.check('target-csv: warns about ACTIVATE_VERSION and goes on', /Unknown message type ACTIVATE_VERSION/.test(second.stderr));
  const files = await readdir(path.join(dir, 'out'));
  for (const name of ctx.out1.streams.keys()) {
    let rows = 0;
    for (const f of files.filter((f) => f.startsWith(`${name}-`) && f.endsWith('.csv'))) rows += csvRecords(await readFile(path.join(dir, 'out', f), 'utf8')) - 1;
    ctx.report.check(`target-csv: ${name} has the ${recordCount(ctx, name)} rows of both runs`, rows === recordCount(ctx, name), `${rows} rows`);
  }
  ctx.report.note('target-csv flattens property bags into columns named by the first record of each file (event_properties__key) and drops keys later records add; load events into a target that keeps JSON');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Rows of a query through `pg-local psql`, tab-separated. */
function sql(pg, query) {
  const out = execFileSync('pg-local', ['psql', pg, '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', query], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

const EXPORT_TIMESTAMPS = ['client_event_time', 'client_upload_time', 'event_time', 'processed_time', 'server_received_time', 'server_upload_time', 'user_creation_time'];
/** A record's RFC 3339 text with six fraction digits, as PostgreSQL prints a timestamp with to_char(US). */
const sixDigits = (v) => (v === null ? '' : v.replace(/^(.{19})(?:\.(\d+))?Z$/, (_, s, f = '') => `${s}.${f.padEnd(6, '0')}Z`));

/** The README's statement that drops the rows a full-table stream no longer sends (target-postgres with add_metadata_columns). */
export const staleRowsSql = (table) => `DELETE FROM amplitude."${table}" WHERE _sdc_extracted_at < (SELECT max(_sdc_extracted_at) FROM amplitude."${table}")`;

async function targetPostgres(ctx) {
  const { report } = ctx;
  const dir = path.join(ctx.work, 'target-postgres');
  const pg = path.join(dir, 'pg');
  await mkdir(dir);
  // pg-local runs PostgreSQL as the postgres user when called by root: it must reach the cluster's directory.
  await Promise.all([chmod(ctx.work, 0o755), chmod(dir, 0o755)]);
  const config = JSON.parse(execFileSync('pg-local', ['start', pg, String(await freePort())], { encoding: 'utf8' }));
  try {
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...config, add_metadata_columns: true }));
    await feed(ctx, 'target-postgres', ['-c', 'config.json'], dir);
    report.check('target-postgres: emits the tap\'s last STATE after run 2', JSON.stringify(JSON.parse(await lastLine(path.join(dir, 'run2.out')))) === JSON.stringify(ctx.out2.lastState));

    const names = [...ctx.out1.streams.keys()];
    const tables = sql(pg, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'amplitude' ORDER BY 1").map((r) => r[0]);
    report.check(`target-postgres: one table per stream (${names.length})`, JSON.stringify(tables) === JSON.stringify([...names].sort()), tables.join(','));
    for (const name of names) {
      const s = ctx.out1.streams.get(name);
      const pk = sql(pg, `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'amplitude."${name}"'::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`).map((r) => r[0]);
      const keyCols = s.keys.map((k) => `"${k.toLowerCase()}"`).join(', ');
      const [[rows, distinct]] = sql(pg, `SELECT count(*), count(DISTINCT (${keyCols})) FROM amplitude."${name}"`);
      const expected = distinctKeys(name, ctx.out1, ctx.out2).size;
      report.check(
        `target-postgres: ${name}: primary key (${pk.join(', ')}), ${rows} rows = distinct keys of both runs' RECORDs, no duplicate key`,
        JSON.stringify(pk) === JSON.stringify(s.keys.map((k) => k.toLowerCase())) && Number(rows) === expected && rows === distinct,
        `expected ${expected} rows on key ${s.keys.join(', ')}; ${distinct} distinct`,
      );
    }

    // Timestamps: every event's 7 export timestamps with their microseconds, as UTC.
    const cols = EXPORT_TIMESTAMPS.map((c) => `coalesce(to_char(${c}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '')`).join(', ');
    const db = new Map(sql(pg, `SELECT uuid, ${cols} FROM amplitude.events`).map(([u, ...ts]) => [u, ts.join(' ')]));
    const events = [...ctx.out1.streams.get('events').records, ...ctx.out2.streams.get('events').records];
    const mismatched = events.filter((r) => db.get(r.record.uuid) !== EXPORT_TIMESTAMPS.map((c) => sixDigits(r.record[c])).join(' '));
    const micro = events.filter((r) => /\.\d{3}(?!000)\d{3}Z$/.test(r.record.server_upload_time ?? '')).length;
    report.check(`target-postgres: the 7 timestamps of ${events.length} events equal the RECORDs to the microsecond (${micro} with sub-millisecond digits)`, mismatched.length === 0 && micro > 0, `${mismatched.length} differ`);

    const big = bigIntsByUuid(ctx);
    const lost = [...big].filter(([uuid, digits]) => {
      const [[text]] = sql(pg, `SELECT concat(event_properties::text, user_properties::text, group_properties::text, groups::text, data::text) FROM amplitude.events WHERE uuid = '${uuid}'`);
      return !digits.every((d) => text.includes(d));
    });
    report.check(`target-postgres: the property-bag integers above 2^53 of ${big.size} events kept exactly (jsonb)`, big.size > 0 && lost.length === 0, `${lost.length} lost`);

    const types = sql(pg, "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns WHERE table_schema = 'amplitude' AND (table_name, column_name) IN (('events','server_upload_time'),('events','event_properties'),('events','$insert_id'),('events','amplitude_id'),('events','location_lat'),('active_users','date'),('events_list','timeline_hidden'),('cohorts','lastmod'),('cohorts','last_viewed')) ORDER BY 1");
    report.note(`target-postgres column types: ${types.map(([c, t]) => `${c} ${t}`).join('; ')}`);

    // The moving chart: target-postgres ignores ACTIVATE_VERSION, so the days that left the chart stay...
    const chart = ctx.movingChart;
    const s2 = ctx.out2.streams.get(chart);
    const current = distinctKeys(chart, ctx.out2);
    const staleExpected = [...distinctKeys(chart, ctx.out1)].filter((k) => !current.has(k)).length;
    const keyCols = s2.keys.map((k) => `"${k}"`).join(', ');
    const before = sql(pg, `SELECT ${keyCols} FROM amplitude."${chart}"`).map((r) => keyOf(Object.fromEntries(s2.keys.map((k, i) => [k, k === 'table_index' ? Number(r[i]) : r[i]])), s2.keys));
    const stale = before.filter((k) => !current.has(k)).length;
    report.check(`target-postgres ignores ACTIVATE_VERSION: ${chart} keeps ${stale} stale rows of the days that left the chart (expected ${staleExpected})`, stale === staleExpected && stale > 0);
    // ...until the README's statement drops every row an earlier run sent and the latest did not.
    for (const name of names.filter((n) => ctx.out2.streams.get(n).fullTable)) sql(pg, staleRowsSql(name));
    const after = names.filter((n) => ctx.out2.streams.get(n).fullTable).map((n) => [n, Number(sql(pg, `SELECT count(*) FROM amplitude."${n}"`)[0][0]), distinctKeys(n, ctx.out2).size]);
    report.check(
      `target-postgres: after the README's stale-row DELETE every full-table table holds exactly run 2's rows (${after.map(([n, c]) => `${n} ${c}`).join(', ')})`,
      after.every(([, c, e]) => c === e),
      after.filter(([, c, e]) => c !== e).map(([n, c, e]) => `${n} ${c} != ${e}`).join(', '),
    );
  } finally {
    execFileSync('pg-local', ['stop', pg]);
  }
}

export const consumerChecks = {
  'singer-check-tap': singerCheckTap,
  'target-jsonl': targetJsonl,
  'target-csv': targetCsv,
  'target-postgres': targetPostgres,
};
