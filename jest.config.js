// ts-jest's ESM preset; run through `node --experimental-vm-modules` (see package.json "test").
// Type errors are caught by `tsc --noEmit` in `make test`, so ts-jest only transpiles (isolatedModules).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testTimeout: 60000,
  // One temporary root per run, a directory in it per test file; the run fails if a test leaves anything.
  globalSetup: '<rootDir>/tests/helpers/global-setup.mjs',
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.mjs',
  setupFilesAfterEnv: ['<rootDir>/tests/helpers/temp-per-file.ts'],
};
