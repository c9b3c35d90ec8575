// Test-only slow consumer of Singer output: pauses after every chunk it reads (a target busy
// writing to its database), checks every line and prints a summary as one JSON line.
import { createInterface } from 'node:readline';

const summary = { lines: 0, records: 0, badLines: 0, outOfOrder: 0, badTimeExtracted: 0, types: [] };
process.stdin.on('data', () => {
  process.stdin.pause();
  setTimeout(() => process.stdin.resume(), 2);
});
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  summary.lines++;
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    summary.badLines++;
    continue;
  }
  if (summary.types[summary.types.length - 1] !== msg.type) summary.types.push(msg.type);
  if (msg.type !== 'RECORD') continue;
  if (msg.record.i !== summary.records || msg.record.text !== `record ${summary.records} — ünïcødé ✓`) summary.outOfOrder++;
  if (!RFC3339_UTC.test(msg.time_extracted)) summary.badTimeExtracted++;
  summary.records++;
}
process.stdout.write(JSON.stringify(summary) + '\n');
