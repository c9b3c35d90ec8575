// The groups `make mutate` runs StrykerJS over, one after the other. Each run keeps its own results
// (reports/mutate-<group>-*.json), so an interrupted `make mutate` loses at most one group, and a
// rerun retests only what changed in each. The last group takes every other file under
// src/amplitude, so a new file there is mutated without being listed here.
const chart = ['src/amplitude/chart-csv.ts', 'src/amplitude/chart-csv/**/*.ts'];
const basics = ['src/amplitude/timestamps.ts', 'src/amplitude/regions.ts', 'src/amplitude/envelope.ts', 'src/amplitude/errors.ts'];
const exportApi = ['src/amplitude/export-archive.ts', 'src/amplitude/line-chunks.ts', 'src/amplitude/export-hours.ts', 'src/amplitude/event-line.ts'];
const http = ['src/amplitude/client.ts', 'src/amplitude/retry.ts', 'src/amplitude/limiter.ts', 'src/amplitude/client-options.ts', 'src/amplitude/presigned.ts', 'src/amplitude/body.ts'];
// Its tests start a local S3 API, so its mutants cost the most: a group of its own.
const bucket = ['src/amplitude/bucket/**/*.ts'];
// The events path's byte scanner and read-ahead: many mutants, checked mostly by generated lines.
const scanner = ['src/amplitude/event-bytes.ts', 'src/amplitude/read-ahead.ts'];

export const GROUPS = {
  chart,
  singer: ['src/singer/**/*.ts'],
  basics,
  export: exportApi,
  http,
  bucket,
  scanner,
  amplitude: ['src/amplitude/**/*.ts', ...[...chart, ...basics, ...exportApi, ...http, ...bucket, ...scanner].map((glob) => `!${glob}`)],
};
