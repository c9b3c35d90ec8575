// StrykerJS for `make mutate` (docs/mutation.md): mutates the API and protocol layers and runs the
// unit suites against each mutant. MUTATE (space-separated globs) narrows the run, e.g. one file;
// MUTATE_NAME keeps such a run's results apart (reports/<name>-*.json) from the full run's.
const name = process.env.MUTATE_NAME ?? (process.env.MUTATE ? 'partial' : 'stryker');
// Read by tests/helpers/mutation-sequencer.mjs in the test runner processes, which inherit it.
process.env.MUTATION_TEST_NAMES ??= new URL('reports/test-names.json', import.meta.url).pathname;
const mutate = process.env.MUTATE ? process.env.MUTATE.split(/\s+/).filter(Boolean) : ['src/amplitude/**/*.ts', 'src/singer/**/*.ts'];

export default {
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: { projectType: 'custom', configFile: 'jest.mutate.config.js', enableFindRelatedTests: false },
  mutate,
  coverageAnalysis: 'perTest',
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
