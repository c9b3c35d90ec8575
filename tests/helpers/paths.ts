// Where tests find the repository, the built CLI and the recorded Amplitude bodies (tests/fixtures/).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixturesDir = path.join(repoRoot, 'tests', 'fixtures', 'amplitude');
export const fixture = (name: string): string => path.join(fixturesDir, name);
export const cliPath = path.join(repoRoot, 'dist', 'cli.js');
