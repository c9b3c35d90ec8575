// README stays true to the code: its settings table is exactly what `--about --format markdown`
// prints, and it documents every flag of --help and every stream of --discover.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir, writeJson } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

describe('README', () => {
  it('holds the settings table generated from the config schema', async () => {
    const about = await runCli(['--about', '--format', 'markdown']);
    expect(about.code).toBe(0);
    const m = /<!-- settings:start -->\n([\s\S]*?)<!-- settings:end -->/.exec(readme);
    expect(m?.[1]).toBe(about.stdout);
  });

  it('names every flag the CLI accepts', async () => {
    const help = await runCli(['--help']);
    const flags = [...help.stdout.matchAll(/--([a-z-]+)/g)].map((f) => f[1]);
    expect(flags.length).toBeGreaterThan(8);
    for (const flag of new Set(flags)) expect(readme).toContain(`--${flag}`);
  });

  it('lists every stream discovery offers', async () => {
    const dir = tempDir();
    const config = writeJson(dir, 'config.json', { chart_ids: ['abc123xy'] });
    const discovered = await runCli(['--config', config, '--discover']);
    const names = (JSON.parse(discovered.stdout) as { streams: { stream: string }[] }).streams.map((s) => s.stream);
    for (const name of names) expect(readme).toContain(`\`${name.replace('abc123xy', '<id>')}\``);
  });

  it('starts with the two commands a newcomer runs', () => {
    const firstScreen = readme.split('\n').slice(0, 15).join('\n');
    expect(firstScreen).toContain('make demo');
    expect(firstScreen).toContain('make test');
  });
});
