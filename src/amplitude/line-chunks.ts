// A decompressed stream cut into chunks of whole lines, each copied into a buffer the caller
// supplies (`allocate`), so that a chunk can go to a decoding worker thread and its buffer come back
// for the next one. Shared by the Export API's archive members and the bucket export's files.

// 256 KiB gunzip chunks (default 16 KiB): fewer stream hops on the main thread, which feeds the
// decoding workers and became their bottleneck once they scanned bytes (make bench: 64 KiB → 256 KiB
// took about 10% off the ~400 MB sync).
export const GUNZIP_CHUNK = 1 << 18;
const NEWLINE = 0x0a;

/**
 * Chunks of at least `minBytes` that end with a newline, and last whatever remains (a last line
 * need not end with one). Cuts fall on newline bytes, so no UTF-8 sequence is split.
 */
export async function* wholeLineChunks(source: AsyncIterable<Buffer>, minBytes: number, allocate: (bytes: number) => Uint8Array): AsyncGenerator<Uint8Array> {
  // Output not handed over yet; `whole` bytes of it end at a newline.
  let parts: Buffer[] = [];
  let size = 0;
  let whole = 0;
  const take = (bytes: number): Uint8Array => {
    const out = allocate(bytes);
    let at = 0;
    for (const part of parts) {
      const n = Math.min(part.length, bytes - at);
      out.set(part.subarray(0, n), at);
      at += n;
      if (at === bytes) break;
    }
    // The bytes left over lie in the last part: `bytes` always ends inside it (or is everything).
    const last = parts[parts.length - 1] as Buffer;
    const rest = last.subarray(last.length - (size - bytes));
    parts = rest.length > 0 ? [rest] : [];
    size -= bytes;
    whole = 0;
    return out;
  };
  for await (const chunk of source) {
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    parts.push(chunk);
    size += chunk.length;
    if (lastNewline !== -1) whole = size - chunk.length + lastNewline + 1;
    if (whole >= minBytes) yield take(whole);
  }
  if (size > 0) yield take(size);
}
