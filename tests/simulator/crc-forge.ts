// Forces a gzip member's CRC-32 so that its trailer starts with the bytes 50 4B 07 08 — the data
// descriptor signature. In a stored zip entry, a reader that scans forward for PK\x07\x08 (instead
// of using the central directory) then cuts the member 8 bytes short: quirk 1 of amplitude-api.md,
// which live archives hit by chance (about N / 2^32 per member of N bytes).
import zlib from 'node:zlib';

/** CRC-32 value whose little-endian bytes are 'P', 'K', 7, 8. */
export const SIGNATURE_CRC = 0x08074b50;
/** Token characters are 0x60 | nibble ('`' and 'a'..'o'): 4 free bits each, all safe inside a JSON string. */
export const TOKEN_LENGTH = 12;
export const BLANK_TOKEN = '`'.repeat(TOKEN_LENGTH);

/**
 * Rewrites the BLANK_TOKEN inside `line` (ASCII up to the token) so that
 * crc32(line, prefixCrc) === SIGNATURE_CRC, where prefixCrc is the CRC of all text before the line.
 */
export function forgeLine(line: string, prefixCrc: number): string {
  const at = line.indexOf(BLANK_TOKEN);
  if (at < 0) throw new Error('forgeLine: no token to rewrite');
  const bytes = Buffer.from(line, 'utf8');
  const offset = Buffer.byteLength(line.slice(0, at));
  const base = zlib.crc32(bytes, prefixCrc);
  // CRC is affine in the data bits: each free bit flips a fixed set of CRC bits.
  const basis: { vec: number; bits: number[] }[] = [];
  for (let k = 0; k < TOKEN_LENGTH * 4; k++) {
    const pos = offset + (k >> 2);
    bytes[pos] = (bytes[pos] as number) ^ (1 << (k & 3));
    let vec = (zlib.crc32(bytes, prefixCrc) ^ base) >>> 0;
    bytes[pos] = (bytes[pos] as number) ^ (1 << (k & 3));
    let bits = [k];
    for (const b of basis) {
      if ((vec ^ b.vec) >>> 0 < vec) {
        vec = (vec ^ b.vec) >>> 0;
        bits = symmetricDifference(bits, b.bits);
      }
    }
    if (vec !== 0) {
      basis.push({ vec, bits });
      basis.sort((x, y) => y.vec - x.vec);
    }
  }
  // Gaussian elimination (highest bit first): reduce the wanted change to the basis.
  let want = (base ^ SIGNATURE_CRC) >>> 0;
  let flips: number[] = [];
  for (const b of basis) {
    if ((want ^ b.vec) >>> 0 < want) {
      want = (want ^ b.vec) >>> 0;
      flips = symmetricDifference(flips, b.bits);
    }
  }
  if (want !== 0) throw new Error('forgeLine: CRC target not reachable');
  for (const k of flips) {
    const pos = offset + (k >> 2);
    bytes[pos] = (bytes[pos] as number) ^ (1 << (k & 3));
  }
  return bytes.toString('utf8');
}

function symmetricDifference(a: number[], b: number[]): number[] {
  const set = new Set(a);
  for (const x of b) {
    if (set.has(x)) set.delete(x);
    else set.add(x);
  }
  return [...set];
}
