// Shared pieces of the bucket-export suites: a local S3 server (s3rver) filled with the simulator's
// events in Amplitude's documented layout, and runs of the built CLI against it.
import { runCli, tempDir, writeJson, parseMessages, type SingerMessage } from '../../helpers/cli.js';
import { startBucketServer, BUCKET_ACCESS_KEY, BUCKET_SECRET_KEY, type BucketServer } from '../../simulator/bucket-server.js';
import type { SimulatorOptions } from '../../simulator/server.js';

export const HOUR_MS = 3_600_000;
export const PREFIX = 'amplitude/export/';
export const ORG_ID = 189524;

// Fixed past data (like events-stream.test.ts): 20 events an hour in up to 3 members, with empty hours.
export const DATA: SimulatorOptions = {
  seed: 11,
  dataStart: '2026-06-20T00:00:00Z',
  dataEnd: '2026-06-21T06:30:00Z',
  eventsPerHour: 20,
  maxMembersPerHour: 3,
};

export const RECORD_LINE = /^\{"type":"RECORD","stream":"events","record":(.*),"time_extracted":"[^"]*"\}$/;

const servers: BucketServer[] = [];

export async function bucketServer(): Promise<BucketServer> {
  const server = await startBucketServer({ directory: tempDir('tap-amplitude-s3-') });
  servers.push(server);
  return server;
}

export async function stopBucketServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
}

export function bucketConfig(server: BucketServer, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    api_key: 'demo-api-key',
    secret_key: 'demo-secret-key',
    events_source: 's3',
    s3_bucket: server.bucket,
    s3_prefix: PREFIX,
    s3_endpoint_url: server.url,
    aws_access_key_id: BUCKET_ACCESS_KEY,
    aws_secret_access_key: BUCKET_SECRET_KEY,
    ...extra,
  };
}

export const catalogOf = (...streams: string[]) => ({
  streams: streams.map((s) => ({ tap_stream_id: s, metadata: [{ breadcrumb: [] as string[], metadata: { selected: true } }] })),
});

/** The events stream selected without the given fields. */
export const eventsWithout = (...fields: string[]) => {
  const catalog = catalogOf('events');
  for (const f of fields) catalog.streams[0]?.metadata.push({ breadcrumb: ['properties', f], metadata: { selected: false } });
  return catalog;
};

export interface TapRun {
  code: number | null;
  stderr: string;
  messages: SingerMessage[];
  /** The events records as the exact JSON text on stdout. */
  texts: string[];
  /** The bookmarks of every STATE, in order. */
  states: Record<string, Record<string, unknown>>[];
}

export async function runTap(
  config: Record<string, unknown>,
  opts: { state?: unknown; streams?: string[]; catalog?: unknown; env?: NodeJS.ProcessEnv } = {},
): Promise<TapRun> {
  const dir = tempDir();
  const args = ['--config', writeJson(dir, 'config.json', config), '--catalog', writeJson(dir, 'catalog.json', opts.catalog ?? catalogOf(...(opts.streams ?? ['events'])))];
  if (opts.state !== undefined) args.push('--state', writeJson(dir, 'state.json', opts.state));
  const result = await runCli(args, { timeoutMs: 60_000, ...(opts.env ? { env: opts.env } : {}) });
  return toRun(result.code, result.stdout, result.stderr);
}

/** The writer's ASCII escapes (\uXXXX for each code unit from U+0080) turned back into characters, to compare with the truth's text. */
const fromAsciiEscapes = (text: string): string =>
  text.replace(/(\\+)u([0-9a-f]{4})/g, (all, slashes: string, hex: string) =>
    slashes.length % 2 === 1 && parseInt(hex, 16) >= 0x80 ? slashes.slice(1) + String.fromCharCode(parseInt(hex, 16)) : all,
  );

export function toRun(code: number | null, stdout: string, stderr: string): TapRun {
  const messages = parseMessages(stdout);
  const texts: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = RECORD_LINE.exec(line);
    if (m) texts.push(fromAsciiEscapes(m[1] as string));
  }
  const states = messages.filter((m) => m.type === 'STATE').map((m) => (m.value as { bookmarks: Record<string, Record<string, unknown>> }).bookmarks);
  return { code, stderr, messages, texts, states };
}

export const lastBookmark = (run: TapRun, stream = 'events'): Record<string, unknown> | undefined => run.states[run.states.length - 1]?.[stream];

const TIMESTAMP_MEMBER =
  /"(client_event_time|client_upload_time|event_time|processed_time|server_received_time|server_upload_time|user_creation_time)":(?:"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)"|"")/g;

/** The record text expected for a raw export line, made here by regular expression: the 7 timestamps in RFC 3339 UTC, "" → null. */
export const expectedRecordText = (line: string): string =>
  line.replace(TIMESTAMP_MEMBER, (_all, key: string, date?: string, time?: string) => (date ? `"${key}":"${date}T${time}Z"` : `"${key}":null`));
