#!/usr/bin/env node
// The yardstick of `make bench`: the least a Node program must do with an Export API archive —
// unzip (central directory), gunzip, split lines, JSON.parse, JSON.stringify, write to /dev/null —
// with none of the tap's checks (CRC pre-pass, timestamps, selection, exact big integers, Singer
// envelope). Usage: node scripts/bench-reference.mjs ARCHIVE.zip [OUTPUT]; prints the event count.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGunzip } from 'node:zlib';
import unzipper from 'unzipper';

const [archive, output = '/dev/null'] = process.argv.slice(2);
if (!archive) {
  process.stderr.write('usage: node scripts/bench-reference.mjs ARCHIVE.zip [OUTPUT]\n');
  process.exit(2);
}

const out = createWriteStream(output);
let events = 0;
const { files } = await unzipper.Open.file(archive);
for (const entry of files) {
  let tail = '';
  for await (const chunk of entry.stream().pipe(createGunzip()).setEncoding('utf8')) {
    const lines = (tail + chunk).split('\n');
    tail = lines.pop();
    let text = '';
    for (const line of lines) {
      if (line.length === 0) continue;
      text += JSON.stringify(JSON.parse(line)) + '\n';
      events++;
    }
    if (!out.write(text)) await once(out, 'drain');
  }
  if (tail.length > 0) {
    out.write(JSON.stringify(JSON.parse(tail)) + '\n');
    events++;
  }
}
out.end();
await once(out, 'finish');
process.stdout.write(`${events}\n`);
