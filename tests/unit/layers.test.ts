// The layers of docs/architecture.md, checked on every import in src/: cli → commands → sync →
// streams → amplitude and singer, never back up, and the API and protocol layers not into each
// other. Shared leaves at the top of src/ (errors, config, format...) may be imported by any layer.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';

const src = path.join(repoRoot, 'src');

/** The layer a file under src/ belongs to ('leaf' for the shared modules at the top). */
function layerOf(file: string): string {
  const rel = path.relative(src, file).split(path.sep);
  if (rel.length > 1) return rel[0] as string;
  const name = rel[0] as string;
  if (name === 'cli.ts') return 'cli';
  if (name === 'sync.ts') return 'sync';
  // It reads the API layer's HTTP errors to tell what a failure does; the streams and above use it.
  if (name === 'failures.ts') return 'streams';
  return 'leaf';
}

// What each layer must not import (directly; the rules together forbid any path upwards).
const FORBIDDEN: Record<string, string[]> = {
  amplitude: ['singer', 'streams', 'commands', 'sync', 'cli', 'airbyte'],
  singer: ['amplitude', 'streams', 'commands', 'sync', 'cli', 'airbyte'],
  streams: ['commands', 'sync', 'cli'],
  sync: ['commands', 'cli'],
  commands: ['cli'],
  leaf: ['amplitude', 'singer', 'streams', 'commands', 'sync', 'cli'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    return d.isDirectory() ? sourceFiles(full) : d.name.endsWith('.ts') ? [full] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'|^\s*(?:const|let)?[^'"\n]*?import\(\s*'(\.[^']+)'\s*\)/gm;

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => path.resolve(path.dirname(file), (m[1] ?? m[2]) as string));
}

describe('layers', () => {
  const files = sourceFiles(src);

  it('finds the source files and their imports', () => {
    // Guards the walk itself: an empty walk or a regular expression that matches nothing would pass everything.
    expect(files.length).toBeGreaterThan(50);
    const streamsImports = relativeImports(path.join(src, 'streams', 'events.ts'));
    expect(streamsImports).toContain(path.join(src, 'amplitude', 'export-hours.js'));
    expect(relativeImports(path.join(src, 'streams', 'merged-ids.ts'))).toContain(path.join(src, 'streams', 'merged-ids-from-bucket.js'));
  });

  it('no file imports from a layer above its own, nor across amplitude/ and singer/', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const target of relativeImports(file)) {
        const to = layerOf(target.replace(/\.js$/, '.ts'));
        if (FORBIDDEN[from]?.includes(to)) violations.push(`${path.relative(repoRoot, file)} (${from}) imports ${path.relative(repoRoot, target)} (${to})`);
      }
    }
    expect(violations).toEqual([]);
  });
});
