// Jest for `make mutate`: only the unit suites, which import src/ directly. The e2e suites run the
// built CLI (dist/) and so cannot see a mutant in src/; leaving them out keeps each mutant's run
// short. The per-run temporary root and its leftover check (globalSetup/Teardown) are left out too:
// Stryker starts jest once per mutant, and `make test` already holds the unit suites to that check.
import base from './jest.config.js';

const { globalSetup, globalTeardown, ...rest } = base;

export default {
  ...rest,
  testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
  testSequencer: '<rootDir>/tests/helpers/mutation-sequencer.mjs',
};
