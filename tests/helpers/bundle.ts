// Bundles other entries exactly as the CLI is bundled (`scripts/build.mjs --outdir`), for tests
// that drive one module with the worker threads, or in a process of its own. The bundle goes under
// build/ in the repository, so that the libraries left out of it resolve as they do for dist/.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

/** Bundles `entryPoints` (paths from the repository root) into a new folder; returns it and a function that removes it. */
export function bundle(name: string, entryPoints: string[]): { dir: string; remove: () => void } {
  const dir = path.join(repoRoot, 'build', 'test-bundles', `${name}-${process.pid}`);
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs'), '--outdir', dir, ...entryPoints], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
