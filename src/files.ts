// Reading the user's JSON files (config, state, catalog): why one cannot be read, in words rather
// than errno codes, and a UTF-8 byte-order mark (Windows editors write one) skipped.
import { readFileSync } from 'node:fs';
import { BadInput } from './errors.js';

const WHY: Record<string, string> = {
  ENOENT: 'does not exist',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'does not exist (a part of its path is a file, not a directory)',
  EACCES: 'cannot be read: permission denied',
  EPERM: 'cannot be read: permission denied',
  ELOOP: 'cannot be read: too many symbolic links',
  ENAMETOOLONG: 'cannot be read: the name is too long',
  EMFILE: 'cannot be read: too many open files',
};

/**
 * The text of `file`, without a leading BOM; a BadInput naming `kind` and the reason otherwise
 * (`hint` follows when the path itself is wrong).
 */
export function readInputFile(kind: string, file: string, hint = ''): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const why = WHY[code] ?? `cannot be read (${(err as Error).message.replace(/^[A-Z]+: /, '').split(',')[0]})`;
    throw new BadInput([`${kind} file ${file} ${why}${['ENOENT', 'EISDIR', 'ENOTDIR'].includes(code) ? hint : ''}`]);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
