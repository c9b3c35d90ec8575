// The sync loop with stand-in streams: message order (SCH-2, SCH-12, ST-4), field selection in
// SCHEMA and RECORD (REC-6, REC-8), bookmarks only for incremental streams, a failing stream not
// stopping the others, and a fatal stop still ending on a STATE.
import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import type { AmplitudeClient } from '../../src/amplitude/client.js';
import { validateConfig } from '../../src/config.js';
import { StreamFailure, BadInput } from '../../src/errors.js';
import type { SelectedStream } from '../../src/singer/catalog.js';
import { Logger } from '../../src/singer/log.js';
import { Metrics } from '../../src/singer/metrics.js';
import type { StateValue } from '../../src/singer/state.js';
import { SingerWriter } from '../../src/singer/writer.js';
import type { StreamContext, StreamDefinition, StreamItem } from '../../src/streams/types.js';
import { runSync } from '../../src/sync.js';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

const NOW = '2026-01-02T03:04:05.678Z';
const str = { type: ['null', 'string'] };

function alphaStream(items: StreamItem[], seen: StreamContext[] = []): StreamDefinition {
  return {
    name: 'alpha',
    schema: { type: 'object', properties: { id: { type: 'string' }, updated_at: { type: 'string', format: 'date-time' }, name: str, email: str } },
    keyProperties: ['id'],
    replicationMethod: 'INCREMENTAL',
    replicationKey: 'updated_at',
    async *sync(ctx) {
      seen.push(ctx);
      yield* items;
    },
  };
}

function betaStream(sync: StreamDefinition['sync']): StreamDefinition {
  return { name: 'beta', schema: { type: 'object', properties: { id: { type: 'integer' }, label: str } }, keyProperties: ['id'], replicationMethod: 'FULL_TABLE', sync };
}

const alphaSel = (fields: string[], method: 'INCREMENTAL' | 'FULL_TABLE' = 'INCREMENTAL'): SelectedStream => ({
  name: 'alpha',
  fields,
  keyProperties: ['id'],
  replicationMethod: method,
  ...(method === 'INCREMENTAL' ? { replicationKey: 'updated_at' } : {}),
});
const betaSel: SelectedStream = { name: 'beta', fields: ['id', 'label'], keyProperties: ['id'], replicationMethod: 'FULL_TABLE' };

async function run(streams: StreamDefinition[], selection: SelectedStream[], state?: StateValue, controller = new AbortController(), maxRecordsPerStream?: number, settings: Record<string, unknown> = {}) {
  const sink = new Sink();
  const writer = new SingerWriter(sink);
  const logs: string[] = [];
  const log = new Logger('info', (line) => logs.push(line));
  const metrics = new Metrics(log);
  let result: { failures: string[]; failedStreams: string[]; counts: Record<string, number> } | undefined;
  let error: unknown;
  try {
    result = await runSync({
      config: validateConfig({ api_key: 'k', secret_key: 's', start_date: '2026-01-01', ...settings }).config,
      streams,
      selection,
      state,
      client: {} as AmplitudeClient,
      writer,
      log,
      metrics,
      signal: controller.signal,
      tempDir: '/nonexistent',
      now: () => new Date(NOW),
      ...(maxRecordsPerStream === undefined ? {} : { maxRecordsPerStream }),
    });
  } catch (err) {
    error = err;
  }
  await writer.flush();
  const messages = sink.text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { result, error, messages, logs, metrics, raw: sink.text };
}

const record = (stream: string, rec: Record<string, unknown>, version?: number) => ({ type: 'RECORD', stream, record: rec, ...(version === undefined ? {} : { version }), time_extracted: NOW });
/** The table version of a FULL_TABLE stream in these runs: NOW in epoch milliseconds. */
const V = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const activate = (stream: string, version = V) => ({ type: 'ACTIVATE_VERSION', stream, version });

describe('message order and content', () => {
  it('echoes the input state, then per stream SCHEMA, RECORDs and checkpoints, then a final STATE', async () => {
    const alpha = alphaStream([
      { record: { id: 'a1', updated_at: '2026-01-01T01:00:00Z', name: 'one', email: 'x@y', extra: 'dropped' } },
      { record: { id: 'a2', updated_at: '2026-01-01T02:00:00Z' } },
      { bookmark: { updated_at: '2026-01-01T02:00:00Z' } },
      { recordsJson: ['{"id":"a3","updated_at":"2026-01-01T03:00:00Z","name":"kept as given"}'] },
      { bookmark: { updated_at: '2026-01-01T03:00:00Z' } },
    ]);
    const beta = betaStream(async function* () {
      yield { record: { id: 1, label: 'L' } };
      yield { bookmark: { ignored: true } }; // a full-table stream keeps no bookmark
    });
    const input: StateValue = { bookmarks: { alpha: { updated_at: '2025-12-31T00:00:00Z' }, old_stream: { x: 1 } } };
    const { result, messages, metrics } = await run([alpha, beta], [alphaSel(['id', 'updated_at', 'name']), betaSel], input);

    expect(result).toEqual({ failures: [], failedStreams: [], counts: { alpha: 3, beta: 1 } });
    expect(messages).toEqual([
      { type: 'STATE', value: { bookmarks: { alpha: { updated_at: '2025-12-31T00:00:00Z' }, old_stream: { x: 1 } } } },
      {
        type: 'SCHEMA',
        stream: 'alpha',
        schema: { type: 'object', properties: { id: { type: 'string' }, updated_at: { type: 'string', format: 'date-time' }, name: str } },
        key_properties: ['id'],
        bookmark_properties: ['updated_at'],
      },
      record('alpha', { id: 'a1', updated_at: '2026-01-01T01:00:00Z', name: 'one' }),
      record('alpha', { id: 'a2', updated_at: '2026-01-01T02:00:00Z', name: null }),
      { type: 'STATE', value: { bookmarks: { alpha: { updated_at: '2026-01-01T02:00:00Z' }, old_stream: { x: 1 } }, currently_syncing: 'alpha' } },
      record('alpha', { id: 'a3', updated_at: '2026-01-01T03:00:00Z', name: 'kept as given' }),
      { type: 'STATE', value: { bookmarks: { alpha: { updated_at: '2026-01-01T03:00:00Z' }, old_stream: { x: 1 } }, currently_syncing: 'alpha' } },
      { type: 'SCHEMA', stream: 'beta', schema: { type: 'object', properties: { id: { type: 'integer' }, label: str } }, key_properties: ['id'] },
      // A full-table stream's first sync: ACTIVATE_VERSION before its first record and after its last.
      activate('beta'),
      record('beta', { id: 1, label: 'L' }, V),
      activate('beta'),
      { type: 'STATE', value: { bookmarks: { alpha: { updated_at: '2026-01-01T03:00:00Z' }, old_stream: { x: 1 }, beta: { version: V } }, currently_syncing: 'beta' } },
      { type: 'STATE', value: { bookmarks: { alpha: { updated_at: '2026-01-01T03:00:00Z' }, old_stream: { x: 1 }, beta: { version: V } }, currently_syncing: null } },
    ]);
    expect([metrics.recordCount('alpha'), metrics.recordCount('beta')]).toEqual([3, 1]);
  });

  it('writes no initial STATE without input state, and a STATE at the end even with no records', async () => {
    const { messages } = await run([betaStream(async function* () {})], [betaSel]);
    expect(messages).toEqual([
      { type: 'SCHEMA', stream: 'beta', schema: { type: 'object', properties: { id: { type: 'integer' }, label: str } }, key_properties: ['id'] },
      activate('beta'),
      { type: 'STATE', value: { bookmarks: { beta: { version: V } }, currently_syncing: 'beta' } },
      { type: 'STATE', value: { bookmarks: { beta: { version: V } }, currently_syncing: null } },
    ]);
  });

  it('hands an incremental stream its bookmark and selected fields', async () => {
    const seen: StreamContext[] = [];
    await run([alphaStream([], seen)], [alphaSel(['id', 'updated_at', 'email'])], { bookmarks: { alpha: { updated_at: 'b' } } });
    expect(seen.map((c) => [c.bookmark, [...c.fields]])).toEqual([[{ updated_at: 'b' }, ['id', 'updated_at', 'email']]]);
  });

  it('runs an incremental stream switched to FULL_TABLE without its bookmark in or out (only a table version is added)', async () => {
    const seen: StreamContext[] = [];
    const alpha = alphaStream([{ record: { id: 'a1', updated_at: 'u' } }, { bookmark: { updated_at: 'u' } }], seen);
    const { messages } = await run([alpha], [alphaSel(['id', 'updated_at'], 'FULL_TABLE')], { bookmarks: { alpha: { updated_at: 'old' } } });
    expect(seen[0]?.bookmark).toBeUndefined();
    expect(messages.map((m) => [m.type, m.type === 'SCHEMA' ? m.bookmark_properties : m.type === 'STATE' ? m.value : m.type === 'RECORD' ? m.record : m.version])).toEqual([
      ['STATE', { bookmarks: { alpha: { updated_at: 'old' } } }],
      ['SCHEMA', undefined],
      ['ACTIVATE_VERSION', V],
      ['RECORD', { id: 'a1', updated_at: 'u' }],
      ['ACTIVATE_VERSION', V],
      ['STATE', { bookmarks: { alpha: { updated_at: 'old', version: V } }, currently_syncing: 'alpha' }],
      ['STATE', { bookmarks: { alpha: { updated_at: 'old', version: V } }, currently_syncing: null }],
    ]);
  });
});

describe('--test: at most one record per stream', () => {
  it('stops each stream after its first record, closes its generator, and writes no STATE', async () => {
    let closed = false;
    const beta = betaStream(async function* () {
      try {
        yield { recordsJson: ['{"id":1,"label":"a"}', '{"id":2,"label":"b"}'] };
        yield { record: { id: 3 } };
      } finally {
        closed = true; // where a stream removes its temporary files
      }
    });
    const alpha = alphaStream([{ bookmark: { updated_at: 'u0' } }, { record: { id: 'a1', updated_at: 'u' } }, { record: { id: 'a2', updated_at: 'u' } }]);
    const input = { bookmarks: { alpha: { updated_at: 'x' } } };
    const { result, messages } = await run([alpha, beta], [alphaSel(['id', 'updated_at']), betaSel], input, new AbortController(), 1);
    expect(result).toEqual({ failures: [], failedStreams: [], counts: { alpha: 1, beta: 1 } });
    expect(messages.map((m) => `${String(m.type)} ${String(m.stream ?? '')}`)).toEqual(['SCHEMA alpha', 'RECORD alpha', 'SCHEMA beta', 'RECORD beta']);
    expect(messages[3]?.record).toEqual({ id: 1, label: 'a' });
    expect(closed).toBe(true);
  });
});

describe('failures', () => {
  it('reports a failing stream, runs the next one and still ends on a STATE', async () => {
    const beta = betaStream(async function* () {
      yield { record: { id: 1 } };
      throw new StreamFailure('the chart is gone');
    });
    const alpha = alphaStream([{ record: { id: 'a1', updated_at: 'u' } }, { bookmark: { updated_at: 'u' } }]);
    const { result, error, messages, logs } = await run([alpha, beta], [betaSel, alphaSel(['id', 'updated_at'])]);
    expect(error).toBeUndefined();
    expect(result).toEqual({ failures: ['stream beta failed: the chart is gone'], failedStreams: ['beta'], counts: { alpha: 1 } });
    expect(logs).toContain('ERROR stream beta failed: the chart is gone\n');
    // The failed full-table stream's version is never activated after its records, nor kept in the state.
    expect(messages.map((m) => `${String(m.type)} ${String(m.stream ?? '')}`)).toEqual(['SCHEMA beta', 'ACTIVATE_VERSION beta', 'RECORD beta', 'SCHEMA alpha', 'RECORD alpha', 'STATE ', 'STATE ']);
    expect(messages[messages.length - 1]).toEqual({ type: 'STATE', value: { bookmarks: { alpha: { updated_at: 'u' } }, currently_syncing: null } });
  });

  it('stops the run on an abort, ending on the last checkpoint after the last RECORD (ST-4)', async () => {
    const controller = new AbortController();
    const alpha = alphaStream([]);
    alpha.sync = async function* () {
      yield { record: { id: 'a1', updated_at: 'u1' } };
      yield { bookmark: { updated_at: 'u1' } };
      yield { record: { id: 'a2', updated_at: 'u2' } };
      controller.abort(new Error('SIGTERM'));
      throw new Error('request aborted');
    };
    const beta = betaStream(async function* () {
      yield { record: { id: 1 } };
    });
    const { error, messages } = await run([alpha, beta], [alphaSel(['id', 'updated_at']), betaSel], undefined, controller);
    expect((error as Error).message).toBe('request aborted');
    expect(messages.map((m) => m.type)).toEqual(['SCHEMA', 'RECORD', 'STATE', 'RECORD', 'STATE']);
    expect(messages[4]).toEqual({ type: 'STATE', value: { bookmarks: { alpha: { updated_at: 'u1' } }, currently_syncing: 'alpha' } });
  });

  it('never activates a full-table stream cut short by a stop request, even when it returns quietly', async () => {
    const controller = new AbortController();
    const beta = betaStream(async function* () {
      yield { record: { id: 1 } };
      controller.abort(new Error('SIGTERM'));
    });
    const { messages } = await run([beta], [betaSel], { bookmarks: { beta: { version: V - 5 } } }, controller);
    expect(messages.map((m) => m.type)).toEqual(['STATE', 'SCHEMA', 'RECORD', 'STATE']);
    expect(messages[3]).toEqual({ type: 'STATE', value: { bookmarks: { beta: { version: V - 5 } }, currently_syncing: null } });
  });

  it('rejects an unusable bookmark before writing anything (exit 2)', async () => {
    const alpha = alphaStream([{ record: { id: 'a1', updated_at: 'u' } }]);
    alpha.checkBookmark = (b) => (typeof b.updated_at === 'string' ? undefined : 'updated_at must be a date-time string');
    const { error, raw } = await run([alpha], [alphaSel(['id', 'updated_at'])], { bookmarks: { alpha: { updated_at: 5 } } });
    expect(error).toBeInstanceOf(BadInput);
    expect((error as BadInput).problems).toEqual(['state: bookmarks["alpha"]: updated_at must be a date-time string']);
    expect(raw).toBe('');
  });
});

describe('table versions of FULL_TABLE streams', () => {
  const beta = betaStream(async function* () {
    yield { record: { id: 1, label: 'a' } };
    yield { record: { id: 2, label: 'b' } };
  });

  it('on a later sync: no ACTIVATE_VERSION before the records, one after, with a version above the previous one', async () => {
    const { messages } = await run([beta], [betaSel], { bookmarks: { beta: { version: V - 86_400_000 } } });
    expect(messages.slice(1)).toEqual([
      expect.objectContaining({ type: 'SCHEMA', stream: 'beta' }),
      record('beta', { id: 1, label: 'a' }, V),
      record('beta', { id: 2, label: 'b' }, V),
      activate('beta'),
      { type: 'STATE', value: { bookmarks: { beta: { version: V } }, currently_syncing: 'beta' } },
      { type: 'STATE', value: { bookmarks: { beta: { version: V } }, currently_syncing: null } },
    ]);
  });

  it('stays above a previous version that is not older than the clock (a clock set back, two runs in one millisecond)', async () => {
    const { messages } = await run([beta], [betaSel], { bookmarks: { beta: { version: V + 1000 } } });
    expect(messages.filter((m) => m.type === 'ACTIVATE_VERSION')).toEqual([activate('beta', V + 1001)]);
    expect(messages.filter((m) => m.type === 'RECORD').map((m) => m.version)).toEqual([V + 1001, V + 1001]);
  });

  it('with emit_activate_version_messages false: no version on records, no ACTIVATE_VERSION, nothing in the state', async () => {
    const { messages } = await run([beta], [betaSel], undefined, new AbortController(), undefined, { emit_activate_version_messages: false });
    expect(messages.map((m) => m.type)).toEqual(['SCHEMA', 'RECORD', 'RECORD', 'STATE']);
    expect(messages[1]).toEqual(record('beta', { id: 1, label: 'a' }));
    expect(messages[3]).toEqual({ type: 'STATE', value: { bookmarks: {}, currently_syncing: null } });
  });

  it('an incremental stream that ran as FULL_TABLE before starts from start_date: its table version is no bad bookmark', async () => {
    const seen: StreamContext[] = [];
    const alpha = alphaStream([], seen);
    alpha.checkBookmark = (b) => (typeof b.updated_at === 'string' ? undefined : 'updated_at must be a date-time string');
    const { error, messages } = await run([alpha], [alphaSel(['id', 'updated_at'])], { bookmarks: { alpha: { version: V - 1 } } });
    expect(error).toBeUndefined();
    expect(seen[0]?.bookmark).toEqual({ version: V - 1 });
    expect(messages.at(-1)).toEqual({ type: 'STATE', value: { bookmarks: { alpha: { version: V - 1 } }, currently_syncing: null } });
  });

  it('a --test run (a record limit) versions nothing: it never holds a whole table', async () => {
    const { messages } = await run([beta], [betaSel], undefined, new AbortController(), 1);
    expect(messages.map((m) => m.type)).toEqual(['SCHEMA', 'RECORD']);
    expect(messages[1]).toEqual(record('beta', { id: 1, label: 'a' }));
  });

  it('never versions an incremental stream', async () => {
    const alpha = alphaStream([{ record: { id: 'a1', updated_at: 'u' } }, { bookmark: { updated_at: 'u' } }]);
    const { messages } = await run([alpha], [alphaSel(['id', 'updated_at'])]);
    expect(messages.map((m) => m.type)).toEqual(['SCHEMA', 'RECORD', 'STATE', 'STATE']);
    expect(messages[1]).toEqual(record('alpha', { id: 'a1', updated_at: 'u' }));
  });
});
