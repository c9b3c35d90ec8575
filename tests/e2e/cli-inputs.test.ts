// --catalog, --properties and --state through the built CLI: bad files → exit 2 before any output
// (CLI-12), the same selection through both catalog flags (CLI-5), selection reaching SCHEMA
// (SEL-1, SEL-2, SEL-4, SEL-8), state echoed and kept (ST-1, ST-9, SCH-12), a STATE last (ST-4).
// Amplitude is a closed port or a server answering HTTP 500: every stream fails or has no data,
// and nothing here depends on which.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { parseMessages, runCli, tempDir, writeJson, type CliResult, type SingerMessage } from '../helpers/cli.js';
import { closedPort, expectBadInput, packageVersion, requireBuild, stderrLines } from './support/e2e.js';

interface Entry {
  tap_stream_id: string;
  key_properties: string[];
  replication_key?: string;
  schema: { properties: Record<string, unknown>; selected?: unknown };
  metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }>;
  [key: string]: unknown;
}

let dir: string;
let config: string;
let discovered: Entry[];
const file = (name: string, value: unknown): string => writeJson(dir, name, value);

beforeAll(async () => {
  requireBuild();
  dir = tempDir();
  const port = await closedPort();
  config = file('config.json', {
    api_key: 'e2e-api-key',
    secret_key: 'e2e-secret-key',
    start_date: '2026-01-01',
    api_url: `http://127.0.0.1:${port}`,
    chart_ids: ['abc123'],
  });
  const r = await runCli(['--config', config, '--discover']);
  discovered = (JSON.parse(r.stdout) as { streams: Entry[] }).streams;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The discovered catalog with the given streams selected and the given fields of them deselected. */
function catalogSelecting(selected: Record<string, string[]>): { streams: Entry[] } {
  return {
    streams: discovered.map((s) => ({
      ...s,
      metadata: s.metadata.map((m) => {
        const deselected = selected[s.tap_stream_id];
        if (m.breadcrumb.length === 0) return { ...m, metadata: { ...m.metadata, selected: deselected !== undefined } };
        return deselected?.includes(m.breadcrumb[1] as string) ? { ...m, metadata: { ...m.metadata, selected: false } } : m;
      }),
    })),
  };
}

const propsOf = (name: string, without: string[] = []): string[] =>
  Object.keys(discovered.find((s) => s.tap_stream_id === name)?.schema.properties ?? {}).filter((p) => !without.includes(p));

/** Checks what every sync output must satisfy and returns its messages. */
function syncMessages(r: CliResult): SingerMessage[] {
  expect(r.stderr).not.toContain('    at ');
  const messages = parseMessages(r.stdout);
  for (const m of messages) expect(['SCHEMA', 'RECORD', 'STATE']).toContain(m.type);
  expect(messages[messages.length - 1]?.type).toBe('STATE');
  const seen = new Set<string>();
  for (const m of messages) {
    if (m.type === 'SCHEMA') seen.add(m.stream as string);
    if (m.type === 'RECORD') expect([m.stream, seen.has(m.stream as string)]).toEqual([m.stream, true]);
  }
  return messages;
}

describe('bad --state → exit 2, nothing on stdout', () => {
  it('names a missing, invalid or misshapen state file', async () => {
    const missing = path.join(dir, 'no-state.json');
    const files = {
      invalid: file('state-invalid.json', '{"bookmarks": {"events": '),
      list: file('state-list.json', [{ bookmarks: {} }]),
      bookmarks: file('state-bookmarks.json', { bookmarks: ['events'] }),
      entries: file('state-entries.json', { bookmarks: { events: '2026-01-01', cohorts: {} }, currently_syncing: 3 }),
    };
    const [noFile, invalid, list, bookmarks, entries] = await Promise.all(
      [missing, files.invalid, files.list, files.bookmarks, files.entries].map((s) => runCli(['--config', config, '--state', s])),
    );
    expectBadInput(noFile!, [`CRITICAL state file ${missing} does not exist`]);
    expectBadInput(invalid!, [
      `CRITICAL state file ${files.invalid} is not valid JSON (Unexpected end of JSON input); pass the value of the last STATE message, e.g. {"bookmarks": {}}`,
    ]);
    expectBadInput(list!, ['CRITICAL state: the root must be a JSON object like {"bookmarks": {...}}']);
    expectBadInput(bookmarks!, ['CRITICAL state: "bookmarks" must be an object keyed by stream name']);
    expectBadInput(entries!, ['CRITICAL state: bookmarks["events"] must be an object', 'CRITICAL state: "currently_syncing" must be a stream name or null']);
  });
});

describe('bad --catalog / --properties → exit 2, nothing on stdout', () => {
  it('names a missing, invalid or misshapen catalog', async () => {
    const missing = path.join(dir, 'no-catalog.json');
    const files = {
      invalid: file('catalog-invalid.json', '{"streams": [}'),
      noStreams: file('catalog-no-streams.json', { entries: [] }),
      unknown: file('catalog-unknown.json', { streams: [{ tap_stream_id: 'users', metadata: [{ breadcrumb: [], metadata: { selected: true } }] }] }),
      keys: file('catalog-keys.json', {
        streams: [{ tap_stream_id: 'cohorts', metadata: [{ breadcrumb: [], metadata: { selected: true, 'table-key-properties': ['nope'] } }] }],
      }),
    };
    const [noFile, invalid, noStreams, unknown, keys] = await Promise.all([
      runCli(['--config', config, '--catalog', missing]),
      runCli(['--config', config, '--catalog', files.invalid]),
      runCli(['--config', config, '--properties', files.noStreams]),
      runCli(['--config', config, '-p', files.unknown]),
      runCli(['--config', config, '--catalog', files.keys]),
    ]);
    expectBadInput(noFile, [`CRITICAL catalog file ${missing} does not exist`]);
    expectBadInput(invalid, [/^CRITICAL catalog file .*catalog-invalid\.json is not valid JSON \(.+\); pass the output of --discover$/]);
    expectBadInput(noStreams, ['CRITICAL catalog: the root must be an object with a "streams" array (the output of --discover)']);
    expectBadInput(unknown, ['CRITICAL catalog: stream "users" is not a stream of this tap; run --discover again and select from its output']);
    expectBadInput(keys, ['CRITICAL catalog: stream "cohorts": table-key-properties must be a non-empty list of the stream\'s properties']);
  });
});

describe('selection reaches the output', () => {
  it('gives the same output through --catalog, --properties and -p, with deselected streams and fields absent (CLI-5, SEL-1, SEL-2)', async () => {
    const selected = file('selected.json', catalogSelecting({ events: ['ip_address', 'city'], events_list: [] }));
    const [viaCatalog, viaProperties, viaP] = await Promise.all([
      runCli(['--config', config, '--catalog', selected]),
      runCli(['--config', config, '--properties', selected]),
      runCli(['-c', config, '-p', selected]),
    ]);
    expect(viaProperties.stdout === viaCatalog.stdout && viaP.stdout === viaCatalog.stdout).toBe(true);
    expect([viaProperties.code, viaP.code]).toEqual([viaCatalog.code, viaCatalog.code]);
    // Amplitude cannot be reached: a runtime failure, not bad input.
    expect(viaCatalog.code).toBe(1);
    const messages = syncMessages(viaCatalog);
    const schemas = messages.filter((m) => m.type === 'SCHEMA');
    expect(schemas[0]?.stream).toBe('events');
    expect(Object.keys(schemas[0]?.schema?.properties ?? {})).toEqual(propsOf('events', ['ip_address', 'city']));
    expect(schemas[0]?.key_properties).toEqual(['uuid']);
    for (const m of messages) if (m.type !== 'STATE') expect(['events', 'events_list']).toContain(m.stream);
    for (const m of messages.filter((x) => x.type === 'RECORD')) expect(Object.keys(m.record ?? {})).not.toContain('ip_address');
  });

  it('reads a Meltano catalog (selected everywhere, stream-level copies) and a legacy one alike (SEL-3, SEL-4)', async () => {
    const meltano = {
      streams: discovered.map((s) => {
        const on = s.tap_stream_id === 'cohorts';
        return {
          ...s,
          selected: on,
          metadata: s.metadata.map((m) => ({ ...m, metadata: { ...m.metadata, selected: m.breadcrumb.length === 0 ? on : on && m.breadcrumb[1] !== 'description' } })),
        };
      }),
    };
    const cohorts = discovered.find((s) => s.tap_stream_id === 'cohorts') as Entry;
    const legacy = {
      streams: [
        {
          tap_stream_id: 'cohorts',
          schema: { ...cohorts.schema, selected: 'true', properties: { ...cohorts.schema.properties, description: { type: ['null', 'string'], selected: false } } },
        },
      ],
    };
    const [a, b] = await Promise.all([runCli(['-c', config, '--catalog', file('meltano.json', meltano)]), runCli(['-c', config, '-p', file('legacy.json', legacy)])]);
    expect(b.stdout === a.stdout).toBe(true);
    const schemas = syncMessages(a).filter((m) => m.type === 'SCHEMA');
    expect(schemas.map((m) => m.stream)).toEqual(['cohorts']);
    expect(Object.keys(schemas[0]?.schema?.properties ?? {})).toEqual(propsOf('cohorts', ['description']));
  });

  it('skips with a warning a chart stream the config no longer has (SEL-8)', async () => {
    const gone = {
      streams: [
        { tap_stream_id: 'chart_gone99', metadata: [{ breadcrumb: [], metadata: { selected: true } }] },
        { tap_stream_id: 'chart_abc123', metadata: [{ breadcrumb: [], metadata: { selected: false } }] },
      ],
    };
    const r = await runCli(['--config', config, '--catalog', file('gone.json', gone)]);
    expect({ code: r.code, stdout: r.stdout, stderr: stderrLines(r) }).toEqual({
      code: 0,
      stdout: '{"type":"STATE","value":{"bookmarks":{},"currently_syncing":null}}\n',
      stderr: ['WARNING catalog selects stream "chart_gone99", which the config no longer defines; skipping it', 'WARNING the catalog selects no stream; nothing to sync'],
    });
  });
});

describe('state in, state out', () => {
  it('echoes the input state first and ends on it, unknown keys kept (SCH-12, ST-1, ST-4, ST-9)', async () => {
    const input = {
      bookmarks: { events: { server_upload_time: '2026-01-05T00:00:00Z', from_other_tool: [1, 2] }, removed_stream: { x: 1 } },
      currently_syncing: null,
      custom: { kept: true },
    };
    const none = file('none.json', { streams: [] });
    const [r, wrapped] = await Promise.all([
      runCli(['--config', config, '--catalog', none, '--state', file('state.json', input)]),
      runCli(['--config', config, '--catalog', none, '--state', file('state-message.json', { type: 'STATE', value: input })]),
    ]);
    expect([r.code, stderrLines(r)]).toEqual([
      0,
      [
        // The config's chart is not in this empty catalog: named, as any chart the catalog lacks.
        'WARNING chart_ids lists chart abc123, but the catalog has no stream "chart_abc123", so it is not synced; run --discover again and select it',
        'WARNING the catalog selects no stream; nothing to sync',
      ],
    ]);
    expect(parseMessages(r.stdout)).toEqual([
      { type: 'STATE', value: input },
      { type: 'STATE', value: input },
    ]);
    expect(wrapped.stdout === r.stdout).toBe(true);
  });

  it('takes an empty state file as an empty state', async () => {
    const r = await runCli(['--config', config, '--catalog', file('none2.json', { streams: [] }), '--state', file('empty-state.json', '')]);
    expect([r.code, r.stdout]).toEqual([0, '{"type":"STATE","value":{"bookmarks":{}}}\n{"type":"STATE","value":{"bookmarks":{},"currently_syncing":null}}\n']);
  });
});

describe('no catalog: every stream is synced (CLI-6), failures are per stream (CLI-12)', () => {
  const MARKER_KEY = 'MARKERKEY5a4b3c';
  const MARKER_SECRET = 'MARKERSECRET9z8y7x';
  let server: http.Server;
  let requests = 0;
  const userAgents = new Set<string | undefined>();
  let r: CliResult;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests++;
      userAgents.add(req.headers['user-agent']);
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const c = file('failing.json', { api_key: MARKER_KEY, secret_key: MARKER_SECRET, start_date: '2026-01-01', api_url: `http://127.0.0.1:${port}`, chart_ids: ['abc123'] });
    r = await runCli(['--config', c]);
  });
  afterAll(() => {
    server.close();
  });

  it('writes a SCHEMA for every discovered stream, in order, and exits 1 after a CRITICAL line', () => {
    expect(requests).toBeGreaterThan(0);
    expect(r.code).toBe(1);
    const messages = syncMessages(r);
    const schemas = messages.filter((m) => m.type === 'SCHEMA');
    expect(schemas.map((m) => m.stream)).toEqual(discovered.map((s) => s.tap_stream_id));
    const lines = stderrLines(r);
    expect(lines[lines.length - 1]).toMatch(/^CRITICAL \d+ streams? failed; /);
  });

  it('has SCHEMA messages with schema, non-empty key_properties and bookmark_properties that are properties (SCH-1, SCH-3, SCH-4)', () => {
    const schemas = parseMessages(r.stdout).filter((m) => m.type === 'SCHEMA') as Array<SingerMessage & { bookmark_properties?: string[] }>;
    for (const m of schemas) {
      const entry = discovered.find((s) => s.tap_stream_id === m.stream) as Entry;
      const props = Object.keys(m.schema?.properties ?? {});
      expect([m.stream, props]).toEqual([m.stream, Object.keys(entry.schema.properties)]);
      expect([m.stream, m.key_properties]).toEqual([m.stream, entry.key_properties]);
      expect((m.key_properties ?? []).length).toBeGreaterThan(0);
      for (const k of [...(m.key_properties ?? []), ...(m.bookmark_properties ?? [])]) expect([m.stream, k, props.includes(k)]).toEqual([m.stream, k, true]);
      expect([m.stream, m.bookmark_properties]).toEqual([m.stream, entry.replication_key ? [entry.replication_key] : undefined]);
    }
  });

  it('sends the default User-Agent (CFG-1)', () => {
    expect([...userAgents]).toEqual([`tap-amplitude/${packageVersion}`]);
  });

  it('reports metrics as INFO METRIC lines and never prints a credential (LOG-2, CFG-2)', () => {
    const metrics = stderrLines(r)
      .filter((l) => l.startsWith('INFO METRIC: '))
      .map((l) => JSON.parse(l.slice('INFO METRIC: '.length)) as Record<string, unknown>);
    expect(metrics.length).toBeGreaterThan(0);
    for (const m of metrics) {
      expect(Object.keys(m).sort()).toEqual(['metric', 'tags', 'type', 'value']);
      expect(['counter', 'timer']).toContain(m.type);
    }
    const all = r.stdout + r.stderr;
    expect(all).not.toContain(MARKER_KEY);
    expect(all).not.toContain(MARKER_SECRET);
    expect(all).not.toContain(Buffer.from(`${MARKER_KEY}:${MARKER_SECRET}`).toString('base64'));
    for (const line of stderrLines(r)) expect(line).toMatch(/^(DEBUG|INFO|WARNING|ERROR|CRITICAL) /);
  });
});
