// For `make mutate`: turns a `jest --json` run of the unit suites into {test file: [full test
// names]}, which tests/helpers/mutation-sequencer.mjs reads to load only the files a mutant needs.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [input, output] = process.argv.slice(2);
const run = JSON.parse(readFileSync(input, 'utf8'));
if (!run.success) {
  console.error(`${input}: the unit suites failed; fix them before mutating (a mutant needs a green run to be judged against)`);
  process.exit(1);
}
const names = {};
for (const file of run.testResults) {
  names[path.relative(process.cwd(), file.name)] = file.assertionResults.map((t) => t.fullName);
}
writeFileSync(output, JSON.stringify(names, null, 1) + '\n');
console.log(`${output}: ${Object.keys(names).length} test files, ${Object.values(names).flat().length} tests`);
