// Runs StrykerJS (stryker.config.mjs) once per group of scripts/mutation-groups.mjs, or once over
// MUTATE (space-separated globs) when that is set. Exits non-zero if a run fails.
import { spawnSync } from 'node:child_process';
import { GROUPS } from './mutation-groups.mjs';

const only = process.argv.slice(2);
const runs = process.env.MUTATE ? { partial: process.env.MUTATE.split(/\s+/).filter(Boolean) } : GROUPS;
for (const [name, globs] of Object.entries(runs)) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`mutate: ${name} (${globs.join(' ')})`);
  const run = spawnSync('node_modules/.bin/stryker', ['run'], {
    stdio: 'inherit',
    env: { ...process.env, MUTATE: globs.join(' '), MUTATE_NAME: `mutate-${name}` },
  });
  if (run.status !== 0) {
    console.error(`mutate: the ${name} run failed (exit ${run.status ?? run.signal})`);
    process.exit(1);
  }
}
