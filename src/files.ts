// Reading the user's JSON files (config, state, catalog): why one cannot be read, in words rather
// than errno codes, a UTF-8 byte-order mark (Windows editors write one) skipped, and where a file
// that is not JSON goes wrong.
import { readFileSync } from 'node:fs';
import { BadInput, messageOf } from './errors.js';

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

/** Characters V8 quotes on each side of an unexpected token (its JsonParser's kMaxContextCharacters). */
const QUOTED_CONTEXT = 10;

/**
 * Where an "Unexpected token" is: V8 gives no position for it, only the text around it (the whole
 * text when short, else up to 10 characters on each side, cut with "..."), from which the position follows.
 */
function quotedContextPosition(message: string, text: string): number | undefined {
  const m = /^Unexpected token .+?, (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/.exec(message);
  if (!m) return undefined;
  const [, cutBefore, context = '', cutAfter] = m;
  if (cutBefore && cutAfter) {
    const at = text.indexOf(context);
    return at < 0 ? undefined : at + QUOTED_CONTEXT;
  }
  if (cutBefore) return text.length - context.length + QUOTED_CONTEXT;
  if (cutAfter) return context.length - QUOTED_CONTEXT;
  return undefined;
}

/**
 * Why `text` is not JSON, with the line and column when the parser's message tells where. The text
 * itself is never quoted: V8's messages quote a slice of the input, and a config file holds secrets.
 */
export function jsonSyntaxProblem(err: unknown, text: string): string {
  const message = messageOf(err);
  const reason = (message.split(/, (?:\.\.\.)?"/)[0] ?? message)
    .replace(/^Unexpected token .*/, 'Unexpected character')
    .replace(/ (?:in JSON )?at position \d+.*$/, '');
  const reported = /at position (\d+)/.exec(message);
  const position = reported ? Number(reported[1]) : quotedContextPosition(message, text);
  if (position === undefined) return reason;
  const before = text.slice(0, position);
  return `${reason} at line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}`;
}
