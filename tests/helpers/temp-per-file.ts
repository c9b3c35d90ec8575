// Loaded after the test framework in every test file: the file gets a temporary directory of its
// own (TMPDIR, so os.tmpdir() in the tests and in every tap they start). Test files run side by
// side; a tap one file kills must not be cleaned up, and logged about, by a tap of another file.
// Once the file's tests are done, the directories it made with tempDir() are removed, and its own
// directory too if nothing else is left in it (global-teardown.mjs reports what is).
import { afterAll } from '@jest/globals';
import { mkdtempSync, rmdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeTempDirs } from './cli.js';

const runRoot = process.env.TAP_AMPLITUDE_TEST_ROOT ?? os.tmpdir();
const fileRoot = mkdtempSync(path.join(runRoot, 'file-'));
process.env.TMPDIR = fileRoot;

afterAll(() => {
  removeTempDirs();
  process.env.TMPDIR = runRoot;
  try {
    rmdirSync(fileRoot);
  } catch {
    // Not empty: left for the run's teardown to report.
  }
});
