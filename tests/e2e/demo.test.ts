// `make demo` is the README's first command: its script must sync every stream from the simulator
// and leave Singer output, the final state and a log where its summary says.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseMessages, tempDir } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

describe('the demo', () => {
  it('syncs every stream, charts included, and writes output, state and log', () => {
    const out = tempDir('tap-amplitude-demo-');
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'demo.mjs')], {
      env: { ...process.env, DEMO_OUTPUT_DIR: out },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status).toBe(0);
    const messages = parseMessages(readFileSync(path.join(out, 'output.jsonl'), 'utf8'));
    const catalog = JSON.parse(readFileSync(path.join(out, 'catalog.json'), 'utf8')) as { streams: { stream: string }[] };
    const streams = catalog.streams.map((s) => s.stream);
    expect(streams.filter((s) => s.startsWith('chart_')).length).toBeGreaterThan(1);
    for (const stream of streams) {
      const count = messages.filter((m) => m.type === 'RECORD' && m.stream === stream).length;
      expect([stream, count > 0]).toEqual([stream, true]);
      // The summary reports the same count per stream.
      expect(run.stdout).toMatch(new RegExp(`^${stream}\\s+${count}$`, 'm'));
    }
    const lastState = messages.filter((m) => m.type === 'STATE').at(-1)?.value;
    expect(JSON.parse(readFileSync(path.join(out, 'state.json'), 'utf8'))).toEqual(lastState);
    expect(readFileSync(path.join(out, 'tap.log'), 'utf8')).toMatch(/^INFO /m);
  });
});
