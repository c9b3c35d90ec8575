// The values --test takes (Singer SDK's, plus the quick credentials check); kept apart so the CLI
// can check the flag without loading the HTTP stack.
import { BadInput } from '../errors.js';

export const TEST_MODES = ['all', 'schema', 'connection'] as const;
export type TestMode = (typeof TEST_MODES)[number];

/** `--test` alone means all; anything else than the three modes is bad input. */
export function parseTestMode(value: string): TestMode {
  const v = value.trim();
  if (v === '') return 'all';
  if ((TEST_MODES as readonly string[]).includes(v)) return v as TestMode;
  throw new BadInput([`--test takes no value or one of ${TEST_MODES.join(', ')} (got ${JSON.stringify(value)}); e.g. --test=connection checks only the credentials`]);
}
