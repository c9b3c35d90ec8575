// npm's `prepare` step: runs after `npm install` of this package from a git URL or a folder, and
// before `npm pack` / `npm publish`, so that an unbuilt clone installs a working `tap-amplitude`
// (dist/ is built, not committed). `npm install -g <folder>` only links the folder and installs
// none of its dependencies: then they are installed here first, exactly as locked. `make install`
// sets TAP_AMPLITUDE_SKIP_PREPARE=1: `make test` builds right after, and twice would only cost time.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
if (process.env.TAP_AMPLITUDE_SKIP_PREPARE === '1') process.exit(0);

const findBundler = () => {
  try {
    return createRequire(path.join(root, 'package.json')).resolve('esbuild');
  } catch {
    return undefined;
  }
};

let bundler = findBundler();
if (!bundler && !existsSync(path.join(root, 'node_modules'))) {
  // A linked folder (npm install -g <folder>): install its locked dependencies, in this folder
  // and not globally, without coming back here.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_(global|location|prefix)$/i.test(k)));
  const npm = process.env.npm_execpath;
  const [cmd, args] = npm ? [process.execPath, [npm]] : ['npm', []];
  const r = spawnSync(cmd, [...args, 'ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit', env: { ...env, TAP_AMPLITUDE_SKIP_PREPARE: '1' } });
  if (r.status !== 0) process.exit(r.status ?? 1);
  bundler = findBundler();
}
if (!bundler) {
  // Installed without devDependencies (npm ci --omit=dev): the build that shipped must do.
  if (existsSync(path.join(root, 'dist', 'cli.js'))) process.exit(0);
  console.error('tap-amplitude: cannot build: esbuild is not installed (install with devDependencies, e.g. plain `npm install`)');
  process.exit(1);
}
const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
