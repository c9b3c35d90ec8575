// Builds dist/: the CLI and the events worker bundled by esbuild with the libraries they load at
// start (yargs, zod, got, luxon, papaparse), so that a run starts from a few files instead of about
// 400 modules: the start of every command, and the fixed cost of a small sync, is about 0.1 s
// shorter (bench/notes.md). The code layout stays src/'s; the type check is `npm run typecheck`.
// Code loaded only by some runs (the other commands, the bucket export) becomes files of its own,
// loaded when needed. unzipper and the AWS SDK stay in node_modules: they are loaded late, and
// both read files or modules of their own at run time.
// Every bundle file is written flat in dist/, so that a path relative to the code's own file
// (`../package.json`, `../catalogs/`, `./events-worker.js`) means the same in src/ and dist/.
// `node scripts/build.mjs --outdir DIR ENTRY...` bundles other entries the same way into DIR (tests
// that drive one module with the worker threads, or in a process of its own).
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const external = ['unzipper', '@aws-sdk/client-s3'];
const args = process.argv.slice(2);
const custom = args[0] === '--outdir';
const dist = custom ? path.resolve(args[1] ?? '') : path.join(root, 'dist');
const entryPoints = custom ? args.slice(2) : ['src/cli.ts', 'src/streams/events-worker.ts'];

rmSync(dist, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints,
  outdir: dist,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // The CommonJS libraries bundled (papaparse) call require() for Node's own modules.
  banner: { js: "import { createRequire as __tapRequire } from 'node:module'; const require = __tapRequire(import.meta.url);" },
  legalComments: 'none',
  // Off by default: the package ships without maps. BUILD_SOURCEMAP=1 writes them, for stack traces
  // in src/ terms under NODE_OPTIONS=--enable-source-maps.
  sourcemap: process.env.BUILD_SOURCEMAP === '1' ? 'linked' : false,
  metafile: true,
  logLevel: 'warning',
});

if (custom) process.exit(0);

// The bundled libraries' licences travel with their code.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (match) packages.set(match[2], path.join(root, match[1]));
}
const notices = [...packages].sort(([a], [b]) => a.localeCompare(b)).map(([name, dir]) => {
  const { version, license } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  return `${name} ${version} (${license})\n\n${licenceText(dir, name)}`;
});
writeFileSync(path.join(dist, 'THIRD-PARTY-LICENSES.txt'), `Libraries bundled into these files, with their licences.\n\n${notices.join('\n\n---\n\n')}\n`);
chmodSync(path.join(dist, 'cli.js'), 0o755);

function licenceText(dir, name) {
  const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  if (file === undefined) throw new Error(`build: ${name} is bundled but has no licence file in ${dir}`);
  return readFileSync(path.join(dir, file), 'utf8').trim();
}
