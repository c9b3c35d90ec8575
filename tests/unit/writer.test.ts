// The Singer writer: exact message lines (OUT-2, SCH-1, REC-1), batching, backpressure against a
// slow consumer, a flush that waits for the consumer, and a closed output (EPIPE) ending the run.
import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { OutputClosedError, SingerWriter } from '../../src/singer/writer.js';
import { settled, tick } from '../helpers/promises.js';

/** A consumer that takes a chunk only when the test releases it; `write` returns false past 1 KiB. */
class SlowSink extends Writable {
  received = '';
  private pending: Array<() => void> = [];
  maxQueued = 0;

  constructor() {
    super({ highWaterMark: 1024, decodeStrings: false });
  }

  override _write(chunk: string | Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.maxQueued = Math.max(this.maxQueued, this.writableLength);
    this.pending.push(() => {
      this.received += String(chunk);
      done();
    });
  }

  get waiting(): number {
    return this.pending.length;
  }

  /** Takes whatever is pending (one chunk at a time, as a pipe reader would). */
  release(): void {
    const pending = this.pending;
    this.pending = [];
    pending.forEach((take) => take());
  }
}

/** A consumer that takes everything at once. */
class FastSink extends Writable {
  received = '';
  writes = 0;
  override _write(chunk: string | Buffer, _enc: BufferEncoding, done: () => void): void {
    this.received += String(chunk);
    this.writes++;
    done();
  }
}


describe('message lines', () => {
  it('writes upper-case SCHEMA, RECORD and STATE lines exactly, one JSON object per line', async () => {
    const sink = new FastSink();
    const writer = new SingerWriter(sink);
    writer.schema('events', { type: 'object', properties: { uuid: { type: 'string' } } }, ['uuid'], ['server_upload_time']);
    writer.schema('cohorts', { type: 'object', properties: { id: { type: 'string' } } }, ['id']);
    writer.recordJson('"events"', '{"uuid":"u-1","n":1.5}', '"2026-01-02T03:04:05.678Z"');
    writer.state({ bookmarks: { events: { server_upload_time: '2026-01-02T00:00:00Z' } }, currently_syncing: null });
    await writer.flush();
    expect(sink.received).toBe(
      [
        '{"type":"SCHEMA","stream":"events","schema":{"type":"object","properties":{"uuid":{"type":"string"}}},"key_properties":["uuid"],"bookmark_properties":["server_upload_time"]}',
        '{"type":"SCHEMA","stream":"cohorts","schema":{"type":"object","properties":{"id":{"type":"string"}}},"key_properties":["id"]}',
        '{"type":"RECORD","stream":"events","record":{"uuid":"u-1","n":1.5},"time_extracted":"2026-01-02T03:04:05.678Z"}',
        '{"type":"STATE","value":{"bookmarks":{"events":{"server_upload_time":"2026-01-02T00:00:00Z"}},"currently_syncing":null}}',
        '',
      ].join('\n'),
    );
  });

  it('writes ASCII only, as singer-python does: other characters as \\u escapes of the same JSON value', async () => {
    const sink = new FastSink();
    const writer = new SingerWriter(sink);
    const record = { city: 'São Paulo', region: 'Île-de-France', note: 'Zürich → 東京 😀', plain: 'a"b\\c' };
    writer.recordJson('"events"', JSON.stringify(record), '"2026-01-02T03:04:05.678Z"');
    writer.state({ bookmarks: { 'chart_é': { at: 'ü' } } });
    await writer.flush();
    const [line, state] = sink.received.split('\n');
    expect(line).toBe(
      '{"type":"RECORD","stream":"events","record":{"city":"S\\u00e3o Paulo","region":"\\u00cele-de-France","note":"Z\\u00fcrich \\u2192 \\u6771\\u4eac \\ud83d\\ude00","plain":"a\\"b\\\\c"},"time_extracted":"2026-01-02T03:04:05.678Z"}',
    );
    expect((JSON.parse(line as string) as { record: unknown }).record).toEqual(record);
    expect(JSON.parse(state as string)).toEqual({ type: 'STATE', value: { bookmarks: { 'chart_é': { at: 'ü' } } } });
    expect(/[^\x00-\x7f]/.test(sink.received)).toBe(false);
  });

  it('leaves out empty bookmark_properties', async () => {
    const sink = new FastSink();
    const writer = new SingerWriter(sink);
    writer.schema('a', { type: 'object', properties: {} }, ['id'], []);
    await writer.flush();
    expect(sink.received).toBe('{"type":"SCHEMA","stream":"a","schema":{"type":"object","properties":{}},"key_properties":["id"]}\n');
  });

  it('batches lines into large writes', async () => {
    const sink = new FastSink();
    const writer = new SingerWriter(sink);
    const record = `{"pad":"${'x'.repeat(990)}"}`; // each line is a little over 1 KiB
    for (let i = 0; i < 200; i++) writer.recordJson('"s"', record, '"2026-01-01T00:00:00.000Z"');
    await writer.flush();
    const lines = sink.received.split('\n');
    expect(lines.length).toBe(201);
    expect(lines[200]).toBe('');
    // 64 KiB batches: 200 lines of ~1 KiB take a handful of writes, not 200.
    expect(sink.writes).toBeLessThanOrEqual(5);
  });
});

describe('backpressure', () => {
  it('reports backpressure when the consumer is full and resumes once it drains', async () => {
    const sink = new SlowSink();
    const writer = new SingerWriter(sink);
    const record = `{"pad":"${'y'.repeat(1000)}"}`;
    let written = 0;
    while (!writer.backpressured) {
      writer.recordJson('"s"', record, '"2026-01-01T00:00:00.000Z"');
      written++;
    }
    const ready = writer.ready();
    expect(await settled(ready)).toBe(false);
    sink.release();
    await ready;
    expect(writer.backpressured).toBe(false);
    const flushed = writer.flush();
    while (!(await settled(flushed))) sink.release();
    expect(sink.received.split('\n').length - 1).toBe(written);
  });

  it('keeps at most one batch queued for a slow consumer and delivers every line in order', async () => {
    const sink = new SlowSink();
    const writer = new SingerWriter(sink);
    let consuming = true;
    const consumer = (async () => {
      while (consuming || sink.waiting > 0) {
        sink.release();
        await tick();
      }
    })();
    const total = 5000;
    for (let i = 0; i < total; i++) {
      writer.recordJson('"s"', `{"i":${i},"pad":"${'z'.repeat(100)}"}`, '"2026-01-01T00:00:00.000Z"');
      if (writer.backpressured) await writer.ready();
    }
    writer.state({ bookmarks: {} });
    await writer.flush();
    consuming = false;
    await consumer;

    const lines = sink.received.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.length).toBe(total + 1);
    lines.slice(0, total).forEach((line, i) => {
      expect(JSON.parse(line)).toEqual({ type: 'RECORD', stream: 's', record: { i, pad: 'z'.repeat(100) }, time_extracted: '2026-01-01T00:00:00.000Z' });
    });
    expect(lines[total]).toBe('{"type":"STATE","value":{"bookmarks":{}}}');
    // ~650 KB went through a consumer that never held more than one 64 KiB batch (plus a line).
    expect(sink.maxQueued).toBeLessThan(64 * 1024 + 200);
  });
});

describe('flush', () => {
  it('resolves only once the consumer has taken everything', async () => {
    const sink = new SlowSink();
    const writer = new SingerWriter(sink);
    writer.state({ bookmarks: {} });
    const flushed = writer.flush();
    expect(await settled(flushed)).toBe(false);
    while (!(await settled(flushed))) sink.release();
    expect(sink.received).toBe('{"type":"STATE","value":{"bookmarks":{}}}\n');
  });
});

describe('a closed output', () => {
  const epipe = (): NodeJS.ErrnoException => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

  it('reports EPIPE once, then refuses further messages with OutputClosedError', async () => {
    const sink = new FastSink();
    const writer = new SingerWriter(sink);
    const closed: OutputClosedError[] = [];
    writer.onClosed = (err) => closed.push(err);
    sink.destroy(epipe());
    sink.emit('error', epipe()); // a second error is not a second report
    await tick();
    expect(closed.length).toBe(1);
    expect(closed[0]?.brokenPipe).toBe(true);
    expect(closed[0]?.message).toBe('the reader of stdout went away (broken pipe); stopping');
    expect(writer.isClosed).toBe(true);
    expect(() => writer.recordJson('"s"', '{}', '"2026-01-01T00:00:00.000Z"')).toThrow(OutputClosedError);
    expect(() => writer.state({ bookmarks: {} })).toThrow(OutputClosedError);
    await expect(writer.ready()).rejects.toBeInstanceOf(OutputClosedError);
    await expect(writer.flush()).resolves.toBeUndefined();
  });

  it('releases a producer waiting for drain when the reader goes away', async () => {
    const sink = new SlowSink();
    const writer = new SingerWriter(sink);
    while (!writer.backpressured) writer.recordJson('"s"', `{"pad":"${'p'.repeat(1000)}"}`, '"2026-01-01T00:00:00.000Z"');
    const ready = writer.ready();
    sink.destroy(epipe());
    await expect(ready).rejects.toBeInstanceOf(OutputClosedError);
  });

  it('treats any other write error as the end of the output too, without throwing from the stream', async () => {
    const sink = new FastSink();
    const writer = new SingerWriter(sink);
    const closed: OutputClosedError[] = [];
    writer.onClosed = (err) => closed.push(err);
    sink.destroy(Object.assign(new Error('no space'), { code: 'ENOSPC' }));
    await tick();
    expect(closed.map((e) => [e.code, e.brokenPipe, e.message])).toEqual([['ENOSPC', false, 'stdout cannot be written (ENOSPC); stopping']]);
    expect(() => writer.state({})).toThrow('stdout cannot be written (ENOSPC); stopping');
  });

  it('counts writing to a destroyed stream as a closed reader', async () => {
    const sink = new FastSink();
    const writer = new SingerWriter(sink);
    sink.destroy();
    writer.state({ bookmarks: {} });
    await writer.flush();
    await tick();
    expect(writer.isClosed).toBe(true);
    expect(() => writer.state({})).toThrow('the reader of stdout went away (broken pipe); stopping');
  });
});

describe('checkpoints', () => {
  it('hands a STATE and everything before it to the consumer at once, without waiting for a full chunk', () => {
    const received: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        received.push(chunk.toString('utf8'));
        done();
      },
    });
    const writer = new SingerWriter(out);
    writer.recordJson('"s"', '{"id":1}', '"2026-01-01T00:00:00.000Z"');
    expect(received).toEqual([]); // records alone are batched
    writer.state({ bookmarks: { s: { at: 1 } } });
    expect(received.join('')).toBe(
      '{"type":"RECORD","stream":"s","record":{"id":1},"time_extracted":"2026-01-01T00:00:00.000Z"}\n' +
        '{"type":"STATE","value":{"bookmarks":{"s":{"at":1}}}}\n',
    );
  });
});
