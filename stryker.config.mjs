// StrykerJS for `make mutate` (docs/mutation.md): mutates the API and protocol layers and runs the
// unit suites against each mutant. scripts/mutate.mjs runs it once per group of files, setting
// MUTATE (space-separated globs) and MUTATE_NAME (where the results go: reports/<name>-*.json).
const name = process.env.MUTATE_NAME ?? 'stryker';
// Read by tests/helpers/mutation-sequencer.mjs in the test runner processes, which inherit it.
process.env.MUTATION_TEST_NAMES ??= new URL('reports/test-names.json', import.meta.url).pathname;
const mutate = process.env.MUTATE ? process.env.MUTATE.split(/\s+/).filter(Boolean) : ['src/amplitude/**/*.ts', 'src/singer/**/*.ts'];

export default {
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: { projectType: 'custom', configFile: 'jest.mutate.config.js', enableFindRelatedTests: false },
  mutate,
  coverageAnalysis: 'perTest',
  // A static mutant (module-level code: constants, regular expressions, schemas) runs before any
  // test, so Stryker would run the whole unit suite for each one; on two shared cores that alone
  // takes hours. They are left out and counted in docs/mutation.md as not tested.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 20000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: `reports/${name}-incremental.json`,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/${name}-report.json` },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
