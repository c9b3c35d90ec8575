// Lines of decompressed export text (amplitude-api.md §5.4): one JSON event per line, blank lines
// skipped. Kept apart from export-archive.ts so that a decoding worker thread loads no zip code.

/** The non-blank lines of a chunk of whole lines (UTF-8; each chunk ends at a newline or the member's end). */
export function exportChunkLines(chunk: Uint8Array): string[] {
  return nonBlankLines(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8'));
}

/** The lines of `text` that are not blank, in the array `split` made (no second array per chunk). */
export function nonBlankLines(text: string): string[] {
  const lines = text.split('\n');
  let kept = 0;
  for (const line of lines) if (!isBlankLine(line)) lines[kept++] = line;
  lines.length = kept;
  return lines;
}

/** A line with nothing but whitespace, which the export may carry between events. */
export function isBlankLine(line: string): boolean {
  return line.length === 0 || (line.charCodeAt(0) <= 0x20 && line.trim().length === 0);
}
