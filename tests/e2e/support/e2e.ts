// Shared pieces of the CLI end-to-end tests: shell pipelines (a real `|` between processes),
// a port nothing listens on, the package version, a discovered catalog with chosen streams, and the
// checks every bad-input run must pass.
import { expect } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { runCli, runProcess, tempDir, writeJson, type CliResult } from '../../helpers/cli.js';
import { cliPath, repoRoot } from '../../helpers/paths.js';

export const packageVersion = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
export const supportDir = path.join(repoRoot, 'tests', 'e2e', 'support');

export interface DiscoveredCatalog {
  streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[];
}

/** The built CLI's --discover for `config`, with the streams `pick` chooses selected and the others not. */
export async function discoverSelecting(config: Record<string, unknown>, pick: (stream: string) => boolean): Promise<DiscoveredCatalog> {
  const discovered = await runCli(['--config', writeJson(tempDir(), 'discover.json', config), '--discover']);
  expect(discovered.code).toBe(0);
  const catalog = JSON.parse(discovered.stdout) as DiscoveredCatalog;
  for (const s of catalog.streams) for (const m of s.metadata) if (m.breadcrumb.length === 0) m.metadata.selected = pick(s.tap_stream_id);
  return catalog;
}

/** The e2e suites run the built CLI; `make test` builds before running jest. */
export function requireBuild(): void {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` before the e2e tests`);
}

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a bash script (for real pipes such as `tap | head -1`) from the repository root. */
export function runBash(script: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<ShellResult> {
  return runProcess('bash', ['-c', script], { cwd: repoRoot, env: { ...process.env, ...env }, timeoutMs });
}

/** A loopback port with nothing listening (bound, then released). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The stderr lines of a run (without the empty tail). */
export const stderrLines = (r: { stderr: string }): string[] => r.stderr.split('\n').filter((l) => l.length > 0);

/**
 * Bad input: exit 2, nothing on stdout, no stack trace, and exactly the expected stderr lines
 * (strings match whole lines, regular expressions match the line).
 */
export function expectBadInput(r: CliResult, expected: Array<string | RegExp>): void {
  const lines = stderrLines(r);
  expect({ code: r.code, stdout: r.stdout, lineCount: lines.length }).toEqual({ code: 2, stdout: '', lineCount: expected.length });
  expect(r.stderr).not.toContain('    at ');
  expected.forEach((want, i) => {
    if (typeof want === 'string') expect(lines[i]).toBe(want);
    else expect(lines[i]).toMatch(want);
  });
}
