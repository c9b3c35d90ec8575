// Reading the --catalog and --state files: any problem is bad input (exit 2) with the reason.
import { readFileSync } from 'node:fs';
import { jsonSyntaxProblem } from '../config.js';
import { BadInput } from '../errors.js';

export function readJsonFile(kind: 'catalog' | 'state', file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BadInput([code === 'ENOENT' ? `${kind} file ${file} does not exist` : `${kind} file ${file} cannot be read (${code ?? 'error'})`]);
  }
  // An empty state file means "no state yet" (some schedulers create it before the first run).
  if (kind === 'state' && text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    const hint = kind === 'catalog' ? 'pass the output of --discover' : 'pass the value of the last STATE message, e.g. {"bookmarks": {}}';
    throw new BadInput([`${kind} file ${file} is not valid JSON (${jsonSyntaxProblem(err, text)}); ${hint}`]);
  }
}
