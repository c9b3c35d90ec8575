// Which export lines count as blank (amplitude-api.md §5.4: blank lines are skipped): empty lines and
// lines of ASCII spacing only. A line of other spacing (a no-break space) is kept, so the decoder
// reports it instead of it vanishing. Expected lines are written by hand.
import { describe, expect, it } from '@jest/globals';
import { exportChunkLines, nonBlankLines } from '../../src/amplitude/export-lines.js';

describe('nonBlankLines', () => {
  it('drops empty and ASCII-space lines, keeps everything else as it is', () => {
    expect(nonBlankLines('a\n\n \t\r\n\u00a0\n x \n\u2028\nb')).toEqual(['a', '\u00a0', ' x ', '\u2028', 'b']);
  });

  it('gives nothing for a text of blank lines', () => {
    expect(nonBlankLines('\n \n\t\n')).toEqual([]);
  });
});

describe('exportChunkLines', () => {
  it('reads only the bytes of the chunk, not the rest of its buffer', () => {
    const bytes = Buffer.from('XXXX{"a":"é"}\n{"b":2}YYYY', 'utf8');
    const chunk = new Uint8Array(bytes.buffer, bytes.byteOffset + 4, bytes.length - 8);
    expect(exportChunkLines(chunk)).toEqual(['{"a":"é"}', '{"b":2}']);
  });
});
