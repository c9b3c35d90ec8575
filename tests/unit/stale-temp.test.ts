import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeStaleTempDirs } from '../../src/commands/sync.js';
import { Logger } from '../../src/singer/log.js';
import { tempDir } from '../helpers/cli.js';

describe('temporary directories of killed runs', () => {
  it('are removed at the next sync; those of running processes are kept', async () => {
    const root = tempDir('stale-root-');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number; // exited: its pid names no live process
    const deadDir = path.join(root, `tap-amplitude-${dead}-abc123`);
    const liveDir = path.join(root, `tap-amplitude-${process.ppid}-def456`);
    const otherDir = path.join(root, 'something-else-1');
    for (const d of [deadDir, liveDir, otherDir]) mkdirSync(d);
    writeFileSync(path.join(deadDir, 'export-20260616T00-20260616T23.zip'), 'partial');
    const lines: string[] = [];
    await removeStaleTempDirs(root, new Logger('info', (l) => lines.push(l)));
    expect(existsSync(deadDir)).toBe(false);
    expect(existsSync(liveDir)).toBe(true);
    expect(existsSync(otherDir)).toBe(true);
    expect(lines).toEqual([`INFO removed tap-amplitude-${dead}-abc123, left in the temporary directory by a tap that was killed\n`]);
  });
});
