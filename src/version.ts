// The package's name and version, read once from package.json (one source of truth for --version,
// --about and the default User-Agent).
import { readFileSync } from 'node:fs';
import { packageFile } from './package-files.js';

const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as {
  name: string;
  version: string;
  description: string;
};

export const TAP_NAME: string = pkg.name;
export const TAP_VERSION: string = pkg.version;
export const TAP_DESCRIPTION: string = pkg.description;
