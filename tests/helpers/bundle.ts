// Bundles TypeScript sources as scripts/build.mjs bundles the CLI (esbuild, ES modules, files flat
// in one folder, shared code split out), for tests that drive one module with the built tap's worker
// threads, or in a process of their own. The bundle goes under build/ in the repository, so that
// the libraries left out of it (all of node_modules) resolve as they do for dist/.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

/** Bundles `entryPoints` (paths from the repository root) into a new folder; returns it and a function that removes it. */
export async function bundle(name: string, entryPoints: string[]): Promise<{ dir: string; remove: () => void }> {
  const dir = path.join(repoRoot, 'build', 'test-bundles', `${name}-${process.pid}`);
  await build({
    absWorkingDir: repoRoot,
    entryPoints,
    outdir: dir,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
