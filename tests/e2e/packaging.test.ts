// Packaging: the npm tarball holds what an installed tap needs (the built CLI and the stream schemas
// in catalogs/) and nothing of the development tree, and the `tap-amplitude` command it installs
// works from an unrelated directory. And an unbuilt clone installs with `npm install -g <folder>`
// into a clean prefix (its `prepare` script installs the locked dependencies and builds).
// Dependencies come from the npm cache when it has them (--prefer-offline); the registry is
// needed only for what the cache lacks.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, runProcess, tempDir, writeJson } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';
import { packageVersion, requireBuild } from './support/e2e.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Variables an outer `npm test` sets (npm_config_*, npm_package_*) would steer the inner npm.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

function run(command: string, args: string[], cwd: string, timeoutMs = 50_000): Promise<Run> {
  return runProcess(command, args, { cwd, env: cleanEnv, timeoutMs });
}

const packDir = tempDir('tap-amplitude-pack-');
const projectDir = tempDir('tap-amplitude-install-');
let packed: string[];
let installed: Run;

beforeAll(async () => {
  requireBuild();
  // --ignore-scripts: `prepare` would rebuild dist/ under the other suites running the CLI; it is built already.
  const pack = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], repoRoot);
  expect(pack.code).toBe(0);
  const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packed = info!.files.map((f) => f.path).sort();
  writeFileSync(path.join(projectDir, 'package.json'), JSON.stringify({ name: 'uses-tap-amplitude', version: '1.0.0', private: true }));
  installed = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(packDir, info!.filename)], projectDir);
}, 60_000);

afterAll(() => {
  rmSync(packDir, { recursive: true, force: true });
  rmSync(projectDir, { recursive: true, force: true });
});

const bin = (): string => path.join(projectDir, 'node_modules', '.bin', 'tap-amplitude');

describe('npm package', () => {
  it('packs the CLI, every stream schema, README, LICENSE, the bundled libraries\' licences and package.json, and no sources or tests', () => {
    const schemas = readdirSync(path.join(repoRoot, 'catalogs')).filter((f) => f.endsWith('.json')).map((f) => `catalogs/${f}`);
    expect(packed).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/cli.js', 'dist/events-worker.js', 'dist/THIRD-PARTY-LICENSES.txt', ...schemas]));
    expect(packed.filter((f) => !/^(dist\/[^/]+\.js|dist\/THIRD-PARTY-LICENSES\.txt|catalogs\/.+\.json|LICENSE|README\.md|package\.json)$/.test(f))).toEqual([]);
  });

  it('installs into a clean project', () => {
    expect([installed.code, installed.stderr.split('\n').filter((l) => /ERR!/.test(l))]).toEqual([0, []]);
  });

  it('provides a tap-amplitude command that prints the package version', async () => {
    const r = await run(bin(), ['--version'], projectDir);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, `tap-amplitude v${packageVersion}\n`, '']);
  });

  it('discovers from outside the repository exactly as the built tree does (catalogs/ travel with it)', async () => {
    const config = writeJson(projectDir, 'config.json', { chart_ids: ['abc123xy'] });
    const [installedRun, builtRun] = await Promise.all([run(bin(), ['--config', config, '--discover'], projectDir), runCli(['--config', config, '--discover'])]);
    expect([installedRun.code, installedRun.stderr]).toEqual([0, '']);
    const ids = (JSON.parse(installedRun.stdout) as { streams: Array<{ tap_stream_id: string }> }).streams.map((s) => s.tap_stream_id);
    expect(ids).toEqual(['events', 'active_users', 'average_session_length', 'annotations', 'annotation_categories', 'cohorts', 'cohort_members', 'events_list', 'event_types', 'event_categories', 'event_properties', 'user_properties', 'group_properties', 'chart_abc123xy', 'charts_metadata']);
    expect(installedRun.stdout).toBe(builtRun.stdout);
  });
});

describe('npm install -g from an unbuilt clone\'s folder', () => {
  const cloneDir = tempDir('tap-amplitude-clone-');
  const prefix = tempDir('tap-amplitude-prefix-');
  let install: Run;

  beforeAll(async () => {
    // What a clone holds: the files git tracks (plus new ones not ignored), no node_modules, no dist.
    const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repoRoot);
    expect(listed.code).toBe(0);
    for (const file of listed.stdout.split('\0').filter(Boolean)) {
      let content: Buffer;
      try {
        content = readFileSync(path.join(repoRoot, file));
      } catch {
        continue; // deleted in the working tree
      }
      mkdirSync(path.dirname(path.join(cloneDir, file)), { recursive: true });
      writeFileSync(path.join(cloneDir, file), content);
    }
    expect(readdirSync(cloneDir)).not.toContain('dist');
    install = await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', cloneDir], projectDir, 170_000);
  }, 180_000);

  afterAll(() => {
    rmSync(cloneDir, { recursive: true, force: true });
    rmSync(prefix, { recursive: true, force: true });
  });

  it('installs, and the tap-amplitude it puts on the prefix\'s PATH prints the version', async () => {
    expect([install.code, install.stderr.split('\n').filter((l) => /ERR!|npm error/.test(l))]).toEqual([0, []]);
    const r = await run(path.join(prefix, 'bin', 'tap-amplitude'), ['--version'], projectDir);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, `tap-amplitude v${packageVersion}\n`, '']);
  });
});
