// Files that travel beside the code in the package: package.json and catalogs/. This module sits at
// the top of src/, and scripts/build.mjs writes every bundle file at the top of dist/, so one path
// relative to the code's own file serves the TypeScript sources in tests and the built CLI alike.
export function packageFile(relative: string): URL {
  return new URL(`../${relative}`, import.meta.url);
}
