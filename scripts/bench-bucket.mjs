// The bucket-export scenario of `make bench` (called by scripts/bench.mjs): the same events as the
// Export API archives, laid out as Amplitude's bucket export (bucketObjects from the simulator) in
// a local S3 server (s3rver, kept under bench/data/ and reused), synced by the built CLI with
// events_source "s3" to /dev/null. Compared per event with the Export API runs of the same data.
//
// Env: BENCH_BUCKET_SIZES_MB (default 100,400: which of the bench's datasets also run from the bucket).
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const HOUR_MS = 3_600_000;
const SIZES = new Set((process.env.BENCH_BUCKET_SIZES_MB ?? '100,400').split(',').map(Number));
const PREFIX = 'amplitude/';
const HEAP_LIMIT_MB = 64;
const hourKey = (ms) => new Date(ms).toISOString().slice(0, 13).replaceAll('-', '');

/**
 * Runs the scenario for the datasets whose size is in BENCH_BUCKET_SIZES_MB. `measure(args)` is
 * bench.mjs's runner (wall seconds, peak RSS); `simulatorOptions(d)` gives a dataset's events.
 */
export async function bucketScenario({ datasets, rows, runs, measure, simulatorOptions, simulatorDir, dataDir, cli, workDir, catalogFile }) {
  const picked = datasets.map((d, i) => ({ d, row: rows[i] })).filter(({ d }) => SIZES.has(d.sizeMb));
  if (picked.length === 0) return null;
  const { startBucketServer, BUCKET_ACCESS_KEY, BUCKET_SECRET_KEY } = await import(pathToFileURL(path.join(simulatorDir, 'bucket-server.js')).href);
  const { bucketObjects } = await import(pathToFileURL(path.join(simulatorDir, 'bucket.js')).href);
  const results = [];
  for (const { d, row } of picked) {
    const directory = path.join(dataDir, `bucket-${path.basename(d.file, '.zip')}`);
    const done = path.join(directory, '.complete');
    await mkdir(directory, { recursive: true });
    const server = await startBucketServer({ directory });
    try {
      if (!existsSync(done)) {
        process.stdout.write(`filling the local S3 bucket for ~${d.sizeMb} MB... `);
        const started = performance.now();
        // One hour past the window (a marker only) makes the window's last hour complete.
        const n = await server.put(bucketObjects(simulatorOptions(d), d.start, hourKey(d.endMs), { prefix: PREFIX, markers: true }));
        console.log(`${n} objects in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        await writeFile(done, '');
      }
      const config = {
        api_key: 'bench',
        secret_key: 'bench',
        start_date: new Date(d.startMs).toISOString(),
        end_date: new Date(d.endMs).toISOString(),
        events_source: 's3',
        s3_bucket: server.bucket,
        s3_prefix: PREFIX,
        s3_endpoint_url: server.url,
        aws_access_key_id: BUCKET_ACCESS_KEY,
        aws_secret_access_key: BUCKET_SECRET_KEY,
      };
      const configFile = path.join(workDir, `config-bucket-${d.sizeMb}.json`);
      await writeFile(configFile, JSON.stringify(config));
      let best = null;
      for (let run = 1; run <= runs; run++) {
        process.stdout.write(`bucket run ${run}/${runs}, ~${d.sizeMb} MB... `);
        const r = await measure([cli, '--config', configFile, '--catalog', catalogFile]);
        const events = Number(/stream events: done, ([\d,]+) records?/.exec(r.stderr)?.[1]?.replaceAll(',', ''));
        if (events !== row.events) throw new Error(`the bucket sync read ${events} events, the simulator wrote ${row.events}`);
        console.log(`${r.seconds.toFixed(2)} s`);
        best = { seconds: Math.min(best?.seconds ?? Infinity, r.seconds), rssMb: Math.max(best?.rssMb ?? 0, r.rssMb) };
      }
      // Flat memory, beyond what peak RSS shows on a busy machine: the same sync under a small heap limit.
      const bounded = await measure([`--max-old-space-size=${HEAP_LIMIT_MB}`, cli, '--config', configFile, '--catalog', catalogFile]).then(
        () => true,
        () => false,
      );
      results.push({ d, row, bucket: best, bounded });
    } finally {
      await server.stop();
    }
  }
  return report(results);
}

function report(results) {
  const lines = [
    '| data | events | Export API s | Export API events/s | bucket s | bucket events/s | bucket vs Export API | bucket peak RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    const viaExport = r.row.events / r.row.tap.seconds;
    const viaBucket = r.row.events / r.bucket.seconds;
    lines.push(
      `| ~${r.d.sizeMb} MB | ${r.row.events} | ${r.row.tap.seconds.toFixed(2)} | ${Math.round(viaExport)} | ${r.bucket.seconds.toFixed(2)} | ${Math.round(viaBucket)} | ${(viaBucket / viaExport).toFixed(2)}× | ${r.bucket.rssMb.toFixed(0)} |`,
    );
  }
  const ratios = results.map((r) => r.row.tap.seconds / r.bucket.seconds);
  const rss = results.map((r) => r.bucket.rssMb);
  const growth = rss[rss.length - 1] / rss[0] - 1;
  const verdict = (ok) => (ok ? 'met' : 'NOT met');
  const bounded = results.map((r) => (r.bounded ? 'yes' : 'no'));
  const targets = [
    `- bucket events/s ≥ Export API events/s on the same data: ${ratios.map((x) => `${x.toFixed(2)}×`).join(', ')} — ${verdict(ratios.every((x) => x >= 1))}`,
    `- bucket peak RSS < 200 MB, largest size within 10% of the smallest: ${rss.map((x) => x.toFixed(0)).join(', ')} MB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%) — ${verdict(rss.every((x) => x < 200) && growth <= 0.1)}`,
    `- the bucket sync completes with node --max-old-space-size=${HEAP_LIMIT_MB} at every size (memory does not grow with the data): ${bounded.join(', ')} — ${verdict(results.every((r) => r.bounded))}`,
  ];
  const table = lines.join('\n');
  return {
    table,
    targets: targets.join('\n'),
    markdown: [
      '## Events from the bucket export',
      '',
      `The same events synced with \`events_source: s3\` from a local S3 server (s3rver on 127.0.0.1, files laid out as Amplitude's bucket export: one gzip file per archive member, ${PREFIX}{appId}/{appId}_yyyy-MM-dd_H#n.json.gz), default \`s3_max_concurrency\` 4, to /dev/null (s3rver runs inside the benchmark process, on the same cores as the tap, and costs more CPU per byte served than the simulator's archive download); best wall time and highest peak RSS, process start to exit. "Export API" is the run above on the same events.`,
      '',
      table,
      '',
      'Targets:',
      '',
      ...targets,
      '',
    ].join('\n'),
  };
}
