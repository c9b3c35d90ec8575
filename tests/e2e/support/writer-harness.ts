// Test-only stand-in for a sync with data (no stream has data yet): drives SingerWriter (bundled by cli-output.test.ts)
// in its own process the way the CLI does (await ready() under backpressure, flush, then
// process.exit) so a real pipe can show that output is complete, paced and stopped cleanly.
// Usage: node writer-harness.js (the bundle) RECORD_COUNT [TAIL_COUNT]
// The last TAIL_COUNT records are written without waiting for the reader: a tail far larger than a
// pipe holds, which reaches the reader only if flush() really waits before process.exit().
import { OutputClosedError, SingerWriter } from '../../../src/singer/writer.js';

const count = Number(process.argv[2]);
const tail = Number(process.argv[3] ?? 0);
const writer = new SingerWriter(process.stdout);
let code = 0;
let waits = 0;
try {
  writer.schema('items', { type: 'object', properties: { i: { type: 'integer' }, text: { type: 'string' } } }, ['i']);
  for (let i = 0; i < count; i++) {
    // Non-ASCII text checks that multi-byte characters survive the batching intact.
    writer.recordJson('"items"', JSON.stringify({ i, text: `record ${i} — ünïcødé ✓` }), JSON.stringify(new Date().toISOString()));
    if (writer.backpressured && i < count - tail) {
      waits++;
      await writer.ready();
    }
  }
  writer.state({ bookmarks: { items: { last: count - 1 } }, currently_syncing: null });
} catch (err) {
  if (!(err instanceof OutputClosedError)) throw err;
  process.stderr.write('INFO stdout was closed by its reader; stopping\n');
  code = 1;
}
await writer.flush();
process.stderr.write(`INFO waited for the reader ${waits} times\n`);
process.exit(code);
