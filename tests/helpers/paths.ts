// Where tests find the repository and the shared Amplitude fixtures (shared/ sits beside the clone).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixturesDir = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'amplitude');
export const fixture = (name: string): string => path.join(fixturesDir, name);
export const cliPath = path.join(repoRoot, 'dist', 'cli.js');
