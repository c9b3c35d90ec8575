// What the consumer of the Singer writer receives, write by write: where batches end (a chunk is
// handed once it holds 64 KiB; a line whose worst-case UTF-8 size, 3 bytes per UTF-16 unit plus
// the newline, does not fit in the 128 KiB chunk starts a new one), lines longer than a chunk,
// pre-framed lines, and how a closed output stops everything.
import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { OutputClosedError, SingerWriter } from '../../src/singer/writer.js';
import { settled, tick } from '../helpers/promises.js';

/** Keeps every write apart: the bytes, and the size of each non-empty write. */
class Recorder extends Writable {
  received = '';
  sizes: number[] = [];
  writes = 0; // empty ones too
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.received += chunk.toString('latin1');
    if (chunk.length > 0) this.sizes.push(chunk.length);
    this.writes++;
    done();
  }
}

/** Takes nothing until the test releases what is pending; `write` returns false past 1 KiB. */
class HeldSink extends Writable {
  private pending: Array<() => void> = [];
  constructor() {
    super({ highWaterMark: 1024 });
  }
  override _write(_chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.pending.push(done);
  }
  release(): void {
    const pending = this.pending;
    this.pending = [];
    pending.forEach((done) => done());
  }
}


// {"type":"RECORD","stream":"s","record":{"p":"…"},"time_extracted":"t"}: 39 characters before the
// record, 22 after it, 8 of the record around its padding.
const FRAME = 39 + 8 + 22;
const TIME = '"t"';
/** The record (JSON text) whose RECORD line is exactly `chars` characters long, newline not counted. */
const recordOfLine = (chars: number, fill = 'x'): string => `{"p":"${fill.repeat(chars - FRAME)}"}`;
const lineOf = (record: string): string => `{"type":"RECORD","stream":"s","record":${record},"time_extracted":"t"}\n`;

describe('batch boundaries', () => {
  // Lines of 1,023 characters are 1,024 bytes with the newline: 64 of them are exactly 64 KiB.
  it('hands a chunk as soon as it holds 64 KiB, the first chunk too', async () => {
    const out = new Recorder();
    const writer = new SingerWriter(out);
    for (let i = 0; i < 200; i++) writer.recordJson('"s"', recordOfLine(1023), TIME);
    await writer.flush();
    expect(out.sizes).toEqual([65536, 65536, 65536, 8192]);
    expect(out.received).toBe(lineOf(recordOfLine(1023)).repeat(200));
  });

  // 3 × 43,349 + 1 = 130,048 bytes of room asked for the long line.
  it.each([
    ['fills the 128 KiB chunk to the last byte of the room asked for', [1023, 43349], [1024 + 43350]],
    ['hands the chunk first when the room asked for is one byte more than is left', [1024, 43349], [1025, 43350]],
    // 30,000 then 34,000 (3 × 34,000 + 1 more than is left): the third line, 25,000, still fits
    // the 128 KiB chunk the second one started.
    ['keeps full-size chunks after handing one over early', [30000, 34000, 25000], [30001, 34001 + 25001]],
  ])('%s', async (_name, lines, sizes) => {
    const out = new Recorder();
    const writer = new SingerWriter(out);
    for (const chars of lines) writer.recordJson('"s"', recordOfLine(chars), TIME);
    await writer.flush();
    expect(out.sizes).toEqual(sizes);
    expect(out.received).toBe(lines.map((chars) => lineOf(recordOfLine(chars))).join(''));
  });

  it('writes a line longer than a whole chunk in one piece', async () => {
    const out = new Recorder();
    const writer = new SingerWriter(out);
    writer.recordJson('"s"', recordOfLine(140000), TIME);
    writer.recordJson('"s"', recordOfLine(100), TIME);
    await writer.flush();
    expect(out.sizes).toEqual([140001, 101]);
    expect(out.received).toBe(lineOf(recordOfLine(140000)) + lineOf(recordOfLine(100)));
  });

  it('keeps the newline of an escaped line that fills a chunk exactly', async () => {
    // 5 ASCII and 21,833 "é" in the padding: 21,907 characters (room asked for: 65,722 bytes), but
    // escaped as \u00e9 the line is 69 + 5 + 6 × 21,833 = 131,072 characters, all of a chunk.
    const out = new Recorder();
    const writer = new SingerWriter(out);
    writer.recordJson('"s"', `{"p":"aaaaa${'é'.repeat(21833)}"}`, TIME);
    writer.recordJson('"s"', '{"p":"b"}', TIME);
    await writer.flush();
    expect(out.received).toBe(lineOf(`{"p":"aaaaa${'\\u00e9'.repeat(21833)}"}`) + lineOf('{"p":"b"}'));
    expect(out.sizes).toEqual([131073, 71]);
  });
});

describe('framed lines', () => {
  it('hands pre-framed lines after the lines already buffered, unchanged', async () => {
    const out = new Recorder();
    const writer = new SingerWriter(out);
    writer.recordJson('"s"', '{"id":1}', TIME);
    const framed = '{"type":"RECORD","stream":"s","record":{"id":2},"time_extracted":"t"}\n{"type":"RECORD","stream":"s","record":{"id":3},"time_extracted":"t"}\n';
    writer.framedLines(Buffer.from(framed, 'latin1'));
    writer.state({ bookmarks: {} });
    await writer.flush();
    expect(out.received).toBe(lineOf('{"id":1}') + framed + '{"type":"STATE","value":{"bookmarks":{}}}\n');
    expect(out.sizes).toEqual([70, 140, 42]);
  });

  it('hands pre-framed lines in a single write when nothing is buffered', async () => {
    const out = new Recorder();
    const writer = new SingerWriter(out);
    writer.framedLines(Buffer.from(lineOf('{"id":4}'), 'latin1'));
    await tick();
    expect([out.writes, out.received]).toEqual([1, lineOf('{"id":4}')]);
  });

  it('says when stdout is done with pre-framed lines, so that their buffer can be reused, and not before', async () => {
    const out = new HeldSink();
    const writer = new SingerWriter(out);
    const done: string[] = [];
    writer.recordJson('"s"', '{"id":1}', TIME);
    writer.framedLines(Buffer.from(lineOf('{"id":2}'), 'latin1'), () => done.push('first'));
    writer.framedLines(Buffer.from(lineOf('{"id":3}'), 'latin1'), () => done.push('second'));
    await tick();
    expect(done).toEqual([]);
    out.release();
    await tick();
    out.release();
    await tick();
    out.release();
    await tick();
    expect(done).toEqual(['first', 'second']);
  });

  it('refuses pre-framed lines once the output is closed', async () => {
    const out = new Recorder();
    const writer = new SingerWriter(out);
    out.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await tick();
    expect(() => writer.framedLines(Buffer.from(lineOf('{}'), 'latin1'))).toThrow(OutputClosedError);
    expect(out.received).toBe('');
  });
});

describe('a closed output', () => {
  const epipe = (): NodeJS.ErrnoException => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

  it('names its error OutputClosedError', () => {
    const err = new OutputClosedError('EPIPE');
    expect([err.name, String(err)]).toEqual(['OutputClosedError', 'OutputClosedError: the reader of stdout went away (broken pipe); stopping']);
  });

  it('reports a write error without a code as "write error"', async () => {
    const out = new Recorder();
    const writer = new SingerWriter(out);
    const closed: OutputClosedError[] = [];
    writer.onClosed = (err) => closed.push(err);
    out.destroy(new Error('the disk went away'));
    await tick();
    expect(closed.map((e) => [e.code, e.brokenPipe, e.message])).toEqual([['write error', false, 'stdout cannot be written (write error); stopping']]);
  });

  it('learns from the write itself that the stream was destroyed, before any flush', async () => {
    const out = new Recorder();
    const writer = new SingerWriter(out);
    const closed: string[] = [];
    writer.onClosed = (err) => closed.push(err.code);
    out.destroy();
    writer.state({ bookmarks: {} });
    await tick();
    expect(closed).toEqual(['ERR_STREAM_DESTROYED']);
    expect(writer.isClosed).toBe(true);
  });

  it('writes nothing more once closed, not even what was buffered', async () => {
    const out = new Recorder();
    const writer = new SingerWriter(out);
    writer.recordJson('"s"', '{"id":1}', TIME);
    out.emit('error', epipe()); // the stream itself still takes writes: only the writer knows
    await writer.flush();
    expect(writer.isClosed).toBe(true);
    expect(out.received).toBe('');
  });

  it('does not wait in flush for a consumer that went away holding a chunk', async () => {
    const out = new HeldSink();
    const writer = new SingerWriter(out);
    writer.state({ bookmarks: {} }); // handed over, never taken
    out.emit('error', epipe());
    expect(await settled(writer.flush())).toBe(true);
    out.release();
    await tick();
    out.release();
  });
});

describe('backpressure', () => {
  it('leaves no listener behind after each drain', async () => {
    const out = new HeldSink();
    const writer = new SingerWriter(out);
    const before = [out.listenerCount('drain'), out.listenerCount('close')];
    for (let cycle = 0; cycle < 3; cycle++) {
      writer.state({ bookmarks: { s: { pad: 'q'.repeat(2000) } } });
      expect(writer.backpressured).toBe(true);
      const ready = writer.ready();
      out.release();
      await ready;
      expect([out.listenerCount('drain'), out.listenerCount('close')]).toEqual(before);
    }
  });
});
