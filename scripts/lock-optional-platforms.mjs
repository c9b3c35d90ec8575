// Completes package-lock.json with the other platforms' builds of unrs-resolver (a jest dependency).
// Why: a registry mirror that serves only this machine's platform (linux-x64) makes `npm install`
// leave those optional entries out, and `npm ci` then refuses the lock as out of sync. An entry
// that names its os/cpu is skipped on every other platform without being fetched. Run it after
// `npm install` changes the lock: `node scripts/lock-optional-platforms.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
const parent = packages['node_modules/unrs-resolver'];
let added = 0;
for (const [name, version] of Object.entries(parent?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (packages[key]) continue;
  const [os, cpu] = name.split('resolver-binding-')[1].split('-');
  packages[key] = { version, cpu: [cpu], dev: true, license: 'MIT', optional: true, os: [os] };
  if (os === 'linux') packages[key].libc = [name.includes('musl') ? 'musl' : 'glibc'];
  added++;
}
const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
lock.packages = sorted;
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: ${added} platform entr${added === 1 ? 'y' : 'ies'} added`);
