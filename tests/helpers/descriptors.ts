// Linux only: how many of this process's file descriptors point at a file (for tests that a reader
// closes what it opened).
import { existsSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

export const canCountDescriptors = existsSync('/proc/self/fd');

export function openDescriptorsOf(file: string): number {
  const target = realpathSync(file);
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(path.join('/proc/self/fd', fd)) === target) count++;
    } catch {
      // the descriptor closed while listing
    }
  }
  return count;
}
