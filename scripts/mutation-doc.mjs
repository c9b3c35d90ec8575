// For `make mutate`: writes the score of the StrykerJS runs of every group (their JSON reports,
// reports/mutate-<group>-report.json) into docs/mutation.md between the `mutate:begin` and
// `mutate:end` markers, with the commit they ran on, and lists every surviving mutant. A survivor counts as explained when its key (`file:line:column Mutator`) appears
// in the hand-written part of the page; the script fails while any survivor is unexplained.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { GROUPS } from './mutation-groups.mjs';

const [docFile] = process.argv.slice(2);
const files = {};
const runTimes = [];
const missing = [];
for (const group of Object.keys(GROUPS)) {
  const reportFile = `reports/mutate-${group}-report.json`;
  if (!existsSync(reportFile)) {
    missing.push(group);
    continue;
  }
  Object.assign(files, JSON.parse(readFileSync(reportFile, 'utf8')).files);
  runTimes.push(statSync(reportFile).mtime);
}
if (runTimes.length === 0) throw new Error('no group has been run: run `make mutate` first');
const report = { files };
const doc = readFileSync(docFile, 'utf8');
const BEGIN = '<!-- mutate:begin -->';
const END = '<!-- mutate:end -->';
const [before, rest] = doc.split(BEGIN);
if (rest === undefined || !rest.includes(END)) throw new Error(`${docFile}: the ${BEGIN} … ${END} markers are missing`);
const after = rest.slice(rest.indexOf(END) + END.length);
const handWritten = before + after;

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const rows = [];
const survivors = [];
const total = { detected: 0, undetected: 0, ignored: 0, other: 0 };
for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
  const count = { detected: 0, undetected: 0, ignored: 0, other: 0 };
  for (const m of mutants) {
    if (DETECTED.has(m.status)) count.detected++;
    else if (UNDETECTED.has(m.status)) {
      count.undetected++;
      const key = `${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName}`;
      survivors.push({ key, status: m.status, replacement: m.replacement ?? '', explained: handWritten.includes(key) });
    } else if (m.status === 'Ignored') count.ignored++;
    else count.other++;
  }
  for (const k of Object.keys(total)) total[k] += count[k];
  rows.push([file, count]);
}
const score = (c) => (c.detected + c.undetected === 0 ? 'n/a' : `${((100 * c.detected) / (c.detected + c.undetected)).toFixed(2)}%`);
const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();
const commit = git('rev-parse', '--short', 'HEAD');
const dirty = git('status', '--porcelain', '--', 'src', 'tests') !== '';

const oneLine = (text) => text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 90);
const lines = [
  BEGIN,
  `Runs of ${runTimes.length} of ${Object.keys(GROUPS).length} groups (the last finished ${new Date(Math.max(...runTimes)).toISOString().slice(0, 16).replace('T', ' ')} UTC), written at commit \`${commit}\`${dirty ? ' with uncommitted changes in src/ or tests/' : ''}: `
    + `**${score(total)}** (${total.detected} of ${total.detected + total.undetected} mutants detected; `
    + `${total.ignored} static mutants not run, ${total.other} that broke the code before any test).`,
  ...(missing.length > 0 ? ['', `**Not run: the ${missing.join(', ')} group${missing.length === 1 ? '' : 's'} of scripts/mutation-groups.mjs; the score covers only the files below.**`] : []),
  '',
  '| file | score | detected | undetected | static, not run |',
  '|---|---|---|---|---|',
  ...rows.map(([file, c]) => `| ${file} | ${score(c)} | ${c.detected} | ${c.undetected} | ${c.ignored} |`),
  '',
  `Undetected mutants (${survivors.length}; each must be explained below):`,
  '',
  '| mutant | status | replaced by | explained |',
  '|---|---|---|---|',
  ...survivors.map((s) => `| \`${s.key}\` | ${s.status} | \`${oneLine(s.replacement)}\` | ${s.explained ? 'yes' : '**no**'} |`),
  END,
];
writeFileSync(docFile, before + lines.join('\n') + after);
const unexplained = survivors.filter((s) => !s.explained);
console.log(`${docFile}: score ${score(total)} over ${rows.length} files at ${commit}; ${survivors.length} undetected, ${unexplained.length} unexplained`);
if (missing.length > 0) console.error(`not run: ${missing.join(', ')}`);
if (unexplained.length > 0 || missing.length > 0) {
  for (const s of unexplained) console.error(`unexplained survivor: ${s.key} → ${oneLine(s.replacement)}`);
  process.exit(1);
}
