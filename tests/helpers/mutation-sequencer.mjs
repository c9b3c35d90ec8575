// Jest test sequencer for `make mutate` only (jest.mutate.config.js). Stryker runs each mutant with
// a test-name pattern of the tests that cover it, but jest still loads every candidate test file to
// find those names, and loading a file (its imports included) costs far more than the tests in it.
// This keeps only the files that hold a matching test, from the name list that `make mutate` takes
// from a plain jest run first (MUTATION_TEST_NAMES). Without a pattern, or if nothing matches (a
// stale list), every file runs: the filter can only save time, never hide a test.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Sequencer from '@jest/test-sequencer';

const listFile = process.env.MUTATION_TEST_NAMES;
const namesByFile = listFile ? JSON.parse(readFileSync(listFile, 'utf8')) : undefined;

export default class MutationSequencer extends Sequencer {
  constructor(options) {
    super(options);
    this.pattern = options?.globalConfig?.testNamePattern;
  }

  sort(tests) {
    const sorted = super.sort(tests);
    if (!this.pattern || !namesByFile) return sorted;
    const re = new RegExp(this.pattern, 'i'); // as jest matches testNamePattern
    const kept = sorted.filter((test) => {
      const names = namesByFile[path.relative(test.context.config.rootDir, test.path)];
      return names === undefined || names.some((n) => re.test(n));
    });
    return kept.length > 0 ? kept : sorted;
  }
}
