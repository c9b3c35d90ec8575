// Reading the --catalog and --state files: any problem is bad input (exit 2) with the reason.
import { jsonSyntaxProblem } from '../files.js';
import { BadInput } from '../errors.js';
import { readInputFile } from '../files.js';

export function readJsonFile(kind: 'catalog' | 'state', file: string): unknown {
  const text = readInputFile(kind, file);
  // An empty state file means "no state yet" (some schedulers create it before the first run).
  if (kind === 'state' && text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    const hint = kind === 'catalog' ? 'pass the output of --discover' : 'pass the value of the last STATE message, e.g. {"bookmarks": {}}';
    throw new BadInput([`${kind} file ${file} is not valid JSON (${jsonSyntaxProblem(err, text)}); ${hint}`]);
  }
}
