// A bucket export file read from a temporary file and left early (the reader stopped, or the run
// was aborted): the file must not stay open behind the reader's back (Linux only: it counts the
// process's descriptors in /proc).
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { gzipChunks, gzipLineBatches } from '../../src/amplitude/bucket/gzip-lines.js';
import { tempDir } from '../helpers/cli.js';
import { canCountDescriptors, openDescriptorsOf } from '../helpers/descriptors.js';


const linux = canCountDescriptors;

describe('gzip line batches from a file, left early', () => {
  (linux ? it : it.skip)('closes the file when the reader stops after the first batch', async () => {
    // Random text barely compresses, so the file is far larger than one read (64 KiB).
    const lines = Array.from({ length: 4000 }, (_, i) => `{"n":${i},"s":"${randomBytes(300).toString('base64')}"}`);
    const file = path.join(tempDir('tap-amplitude-gzip-stop-'), 'part.json.gz');
    writeFileSync(file, gzipSync(lines.join('\n') + '\n', { level: 1 }));
    let first: string[] = [];
    for await (const batch of gzipLineBatches({ path: file })) {
      first = batch;
      expect(openDescriptorsOf(file)).toBe(1);
      break;
    }
    expect(first[0]).toBe(lines[0]);
    // Destroyed streams close their descriptors asynchronously; give them a few turns.
    for (let i = 0; i < 100 && openDescriptorsOf(file) > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(openDescriptorsOf(file)).toBe(0);
  });

  (linux ? it : it.skip)('closes the file when the decoder stops after the first chunk of whole lines', async () => {
    const lines = Array.from({ length: 4000 }, (_, i) => `{"n":${i},"s":"${randomBytes(300).toString('base64')}"}`);
    const file = path.join(tempDir('tap-amplitude-gzip-stop-'), 'chunks.json.gz');
    writeFileSync(file, gzipSync(lines.join('\n') + '\n', { level: 1 }));
    let first = '';
    for await (const chunk of gzipChunks({ path: file }, 64 * 1024, (n) => new Uint8Array(n))) {
      first = Buffer.from(chunk).toString('utf8');
      expect(openDescriptorsOf(file)).toBe(1);
      break;
    }
    expect(first.split('\n')[0]).toBe(lines[0]);
    for (let i = 0; i < 100 && openDescriptorsOf(file) > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(openDescriptorsOf(file)).toBe(0);
  });
});
