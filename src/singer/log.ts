// Human-readable logs on stderr ("LEVEL message", the singer-python layout), with a level filter
// and redaction of registered secrets: no credential may reach any output, whatever fails.
import { SecretMasker } from '../secrets.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'critical';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, critical: 50 };
const LABEL: Record<LogLevel, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', critical: 'CRITICAL' };

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  if (!value) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'warning') return 'warn';
  if (v === 'fatal') return 'critical';
  // Own keys only: `constructor` or `__proto__` are on every object and would silence every line.
  return Object.hasOwn(RANK, v) ? (v as LogLevel) : undefined;
}

/** LOG_LEVEL, TAP_AMPLITUDE_LOGLEVEL or LOGLEVEL, else info. */
export function levelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  return parseLogLevel(env.LOG_LEVEL) ?? parseLogLevel(env.TAP_AMPLITUDE_LOGLEVEL) ?? parseLogLevel(env.LOGLEVEL) ?? 'info';
}

/** One line for a log level variable that is set to no level (it would be ignored in silence). */
export function logLevelProblems(env: NodeJS.ProcessEnv = process.env): string[] {
  return ['LOG_LEVEL', 'TAP_AMPLITUDE_LOGLEVEL', 'LOGLEVEL']
    .filter((name) => env[name] !== undefined && env[name]!.trim() !== '' && parseLogLevel(env[name]) === undefined)
    .map((name) => `${name} ${JSON.stringify(env[name])} is not a log level; valid ones are debug, info, warning, error and critical (using ${levelFromEnv(env)})`);
}

export class Logger {
  private readonly masker = new SecretMasker();
  /** Clears a live progress line on the terminal, so that a log line never runs into it. */
  private clearLive: (() => void) | null = null;

  constructor(
    public level: LogLevel = levelFromEnv(),
    private readonly sink: (line: string) => void = (line) => process.stderr.write(line),
  ) {}

  /** Values masked in every line from now on (empty and very short values are ignored). */
  addSecret(value: string | undefined): void {
    this.masker.add(value);
  }

  redact(text: string): string {
    return this.masker.mask(text);
  }

  setLiveLine(clear: (() => void) | null): void {
    this.clearLive = clear;
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }

  log(level: LogLevel, message: string): void {
    if (!this.enabled(level)) return;
    // One record per line: a message with newlines is folded so every stderr line carries a level.
    const text = this.redact(message).replace(/\r?\n/g, ' | ');
    this.clearLive?.();
    this.sink(`${LABEL[level]} ${text}\n`);
  }

  debug(message: string): void { this.log('debug', message); }
  info(message: string): void { this.log('info', message); }
  warn(message: string): void { this.log('warn', message); }
  error(message: string): void { this.log('error', message); }
  critical(message: string): void { this.log('critical', message); }
}
