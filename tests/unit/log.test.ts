// Logs: "LEVEL message" lines on stderr, a level filter from the environment, one record per line,
// and registered secrets masked in every line (LOG-1, LOG-3, CFG-2).
import { describe, expect, it, jest } from '@jest/globals';
import { levelFromEnv, Logger, logLevelProblems, parseLogLevel, type LogLevel } from '../../src/singer/log.js';

function capture(level: LogLevel): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: new Logger(level, (line) => lines.push(line)), lines };
}

describe('levels', () => {
  it('labels each level the singer-python way', () => {
    const { log, lines } = capture('debug');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.critical('c');
    expect(lines).toEqual(['DEBUG d\n', 'INFO i\n', 'WARNING w\n', 'ERROR e\n', 'CRITICAL c\n']);
  });

  it('drops lines below the level', () => {
    const { log, lines } = capture('warn');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.critical('c');
    expect(lines).toEqual(['WARNING w\n', 'CRITICAL c\n']);
    expect(log.enabled('info')).toBe(false);
    expect(log.enabled('error')).toBe(true);
  });

  it.each([
    ['DEBUG', 'debug'],
    [' info ', 'info'],
    ['warning', 'warn'],
    ['WARN', 'warn'],
    ['error', 'error'],
    ['fatal', 'critical'],
    ['critical', 'critical'],
    ['verbose', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('parses %j as %j', (raw, level) => {
    expect(parseLogLevel(raw)).toBe(level);
  });

  it('takes LOG_LEVEL, then TAP_AMPLITUDE_LOGLEVEL, then LOGLEVEL, else info', () => {
    expect(levelFromEnv({})).toBe('info');
    expect(levelFromEnv({ LOGLEVEL: 'error' })).toBe('error');
    expect(levelFromEnv({ LOGLEVEL: 'error', TAP_AMPLITUDE_LOGLEVEL: 'debug' })).toBe('debug');
    expect(levelFromEnv({ LOGLEVEL: 'error', TAP_AMPLITUDE_LOGLEVEL: 'debug', LOG_LEVEL: 'warning' })).toBe('warn');
    expect(levelFromEnv({ LOG_LEVEL: 'nonsense', LOGLEVEL: 'critical' })).toBe('critical');
  });
});

describe('one record per line', () => {
  it('folds newlines so that every stderr line carries a level', () => {
    const { log, lines } = capture('info');
    log.error('first\nsecond\r\nthird');
    expect(lines).toEqual(['ERROR first | second | third\n']);
  });
});

describe('redaction', () => {
  it('masks every registered secret wherever it appears', () => {
    const { log, lines } = capture('debug');
    log.addSecret('KEY-abc-123');
    log.addSecret('SECRET-xyz-789');
    log.info('auth KEY-abc-123:SECRET-xyz-789 failed; key KEY-abc-123');
    log.debug('url https://amplitude.com/api/2/export?secret=SECRET-xyz-789');
    expect(lines).toEqual(['INFO auth ***:*** failed; key ***\n', 'DEBUG url https://amplitude.com/api/2/export?secret=***\n']);
    expect(log.redact('x SECRET-xyz-789 y')).toBe('x *** y');
  });

  it('masks a secret that a newline would otherwise split across lines', () => {
    const { log, lines } = capture('info');
    log.addSecret('line1\nline2');
    log.warn('value line1\nline2 here');
    expect(lines).toEqual(['WARNING value *** here\n']);
  });

  it('ignores empty, missing and very short values (they would mask ordinary text)', () => {
    const { log, lines } = capture('info');
    log.addSecret(undefined);
    log.addSecret('');
    log.addSecret('abc');
    log.info('abc is not masked');
    expect(lines).toEqual(['INFO abc is not masked\n']);
  });
});

describe('log level variables set to no level', () => {
  const tail = 'is not a log level; valid ones are debug, info, warning, error and critical';

  it('says nothing when none is set, when each is a level and when one is only blank', () => {
    expect(logLevelProblems({})).toEqual([]);
    expect(logLevelProblems({ LOG_LEVEL: 'debug', TAP_AMPLITUDE_LOGLEVEL: ' Warning ', LOGLEVEL: 'fatal' })).toEqual([]);
    expect(logLevelProblems({ LOG_LEVEL: '', TAP_AMPLITUDE_LOGLEVEL: '   ', LOGLEVEL: '\t' })).toEqual([]);
  });

  it('names each variable that holds something else, with its value and the level used instead', () => {
    expect(logLevelProblems({ LOG_LEVEL: 'verbose' })).toEqual([`LOG_LEVEL "verbose" ${tail} (using info)`]);
    expect(logLevelProblems({ LOG_LEVEL: 'loud', TAP_AMPLITUDE_LOGLEVEL: 'error', LOGLEVEL: '5' })).toEqual([
      `LOG_LEVEL "loud" ${tail} (using error)`,
      `LOGLEVEL "5" ${tail} (using error)`,
    ]);
    expect(logLevelProblems({ TAP_AMPLITUDE_LOGLEVEL: 'trace', LOGLEVEL: 'debug' })).toEqual([`TAP_AMPLITUDE_LOGLEVEL "trace" ${tail} (using debug)`]);
  });

  it('takes no name every object has (constructor, __proto__, toString) for a level', () => {
    expect(logLevelProblems({ LOG_LEVEL: 'constructor' })).toEqual([`LOG_LEVEL "constructor" ${tail} (using info)`]);
    expect(logLevelProblems({ LOG_LEVEL: '__proto__', LOGLEVEL: 'toString' })).toEqual([`LOG_LEVEL "__proto__" ${tail} (using info)`, `LOGLEVEL "toString" ${tail} (using info)`]);
  });
});

describe('default sink', () => {
  it('writes each line to stderr', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      new Logger('info').warn('to stderr');
      expect(write.mock.calls).toEqual([['WARNING to stderr\n']]);
    } finally {
      write.mockRestore();
    }
  });
});
