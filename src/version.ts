// The package's name and version, read once from package.json (one source of truth for --version,
// --about and the default User-Agent).
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
  description: string;
};

export const TAP_NAME: string = pkg.name;
export const TAP_VERSION: string = pkg.version;
export const TAP_DESCRIPTION: string = pkg.description;
