// Runs the built CLI (dist/cli.js) as a child process, the way Meltano and Singer runners do.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliPath } from './paths.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface RunOptions {
  cwd?: string;
  /** The whole environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs a program to its end, collecting stdout and stderr; killed after `timeoutMs`. */
export function runProcess(command: string, args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs the built CLI with fast retries (TAP_AMPLITUDE_BACKOFF_MS) unless `env` says otherwise. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return runProcess(process.execPath, [cliPath, ...args], {
    env: { ...process.env, TAP_AMPLITUDE_BACKOFF_MS: '5,50', ...opts.env },
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  });
}

const madeDirs: string[] = [];

/** A fresh temporary directory for one test's files, removed when the test file ends. */
export function tempDir(prefix = 'tap-amplitude-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

/** Removes every directory tempDir() made in this test file (tests/helpers/temp-per-file.ts). */
export function removeTempDirs(): void {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes `value` as JSON into `dir/name` and returns the path. */
export function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

export interface SingerMessage {
  type: string;
  stream?: string;
  record?: Record<string, unknown>;
  schema?: { properties?: Record<string, unknown> };
  key_properties?: string[];
  value?: unknown;
  time_extracted?: string;
  version?: number;
}

/** Every stdout line parsed as JSON (throws on a line that is not a JSON object). */
export function parseMessages(stdout: string): SingerMessage[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l, i) => {
      const m = JSON.parse(l) as unknown;
      if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error(`stdout line ${i + 1} is not a JSON object`);
      return m as SingerMessage;
    });
}

export function recordsOf(messages: SingerMessage[], stream: string): Record<string, unknown>[] {
  return messages.filter((m) => m.type === 'RECORD' && m.stream === stream).map((m) => m.record as Record<string, unknown>);
}

export function lastState(messages: SingerMessage[]): unknown {
  const states = messages.filter((m) => m.type === 'STATE');
  return states[states.length - 1]?.value;
}
