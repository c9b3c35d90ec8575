// Jest global setup and teardown: every test run gets its own temporary root (TMPDIR), so what
// the tests and the tap processes they start leave behind is visible, and runs side by side
// cannot see each other's files. Teardown fails the run if anything is left in it.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export async function setup() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tap-amplitude-tests-'));
  process.env.TAP_AMPLITUDE_TEST_ROOT = root;
  process.env.TMPDIR = root; // os.tmpdir() in the workers and in every child process
}

/** Processes still running that inherited this run's environment (Linux /proc), jest's own aside. */
function leftoverProcesses(root) {
  let pids;
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return []; // no /proc: nothing to check
  }
  const marker = `TAP_AMPLITUDE_TEST_ROOT=${root}`;
  const found = [];
  for (const pid of pids) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker)) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      if (!/jest-worker|processChild/.test(cmd)) found.push(`${pid} ${cmd.slice(0, 120)}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

export async function teardown() {
  const root = process.env.TAP_AMPLITUDE_TEST_ROOT;
  if (!root) return;
  const left = readdirSync(root);
  const running = leftoverProcesses(root);
  rmSync(root, { recursive: true, force: true });
  const problems = [];
  if (left.length > 0) problems.push(`left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in their temporary root: ${left.slice(0, 10).join(', ')}`);
  if (running.length > 0) problems.push(`left ${running.length} process${running.length === 1 ? '' : 'es'} running: ${running.slice(0, 5).join('; ')}`);
  if (problems.length > 0) throw new Error(`the tests ${problems.join('; and ')}`);
}
