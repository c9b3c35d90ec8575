import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '../../src/singer/log.js';
import { StreamProgress } from '../../src/singer/progress.js';

function fakeTty(): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  return { stream: { write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream, written };
}

describe('StreamProgress', () => {
  it('logs one line per checkpoint with the window’s records and the running total', () => {
    const lines: string[] = [];
    const log = new Logger('info', (l) => lines.push(l));
    const p = new StreamProgress('events', log, null);
    p.records(3);
    p.records(2);
    p.checkpoint('2026-06-16T12:00:00Z');
    p.records(4);
    p.checkpoint('2026-06-16T13:00:00Z');
    p.done();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^INFO progress: stream=events window_end=2026-06-16T12:00:00Z records=5 records_per_s=\d+ total=5 elapsed_s=\d+\.\d\n$/);
    expect(lines[1]).toMatch(/ window_end=2026-06-16T13:00:00Z records=4 .* total=9 /);
    expect(p.count).toBe(9);
  });

  it('rewrites a live line on a terminal every second and clears it before a log line', () => {
    jest.useFakeTimers();
    try {
      const lines: string[] = [];
      const tty = fakeTty();
      const p = new StreamProgress('events', new Logger('info', (l) => lines.push(l)), tty.stream);
      p.records(7);
      jest.advanceTimersByTime(1000);
      expect(tty.written.at(-1)).toMatch(/^\r\x1b\[Kevents: 7 records, \d+ records\/s, \d+ s$/);
      p.checkpoint('x');
      expect(tty.written.at(-1)).toBe('\r\x1b[K');
      p.done();
      const count = tty.written.length;
      jest.advanceTimersByTime(5000);
      expect(tty.written).toHaveLength(count + 0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('names the window i/N, the MB downloaded and an ETA for the stream when the stream gives them', () => {
    const lines: string[] = [];
    const p = new StreamProgress('events', new Logger('info', (l) => lines.push(l)), null);
    p.records(10);
    p.checkpoint('2026-06-16T12:00:00Z', { index: 3, total: 12, bytes: 2_500_000 });
    p.done();
    expect(lines[0]).toMatch(/^INFO progress: stream=events window=3\/12 window_end=2026-06-16T12:00:00Z records=10 mb=2\.5 records_per_s=\d+ total=10 elapsed_s=\d+\.\d eta_s=\d+\n$/);
  });

  it('clears the live line before any log line, from any part of the tap, then draws it again', () => {
    jest.useFakeTimers();
    try {
      const out: string[] = [];
      const tty = { write: (s: string) => out.push(`tty:${s}`) } as unknown as NodeJS.WriteStream;
      const log = new Logger('info', (l) => out.push(`log:${l}`));
      const p = new StreamProgress('events', log, tty);
      p.records(3);
      jest.advanceTimersByTime(1000);
      log.warn('export: retrying');
      expect(out.slice(-2)).toEqual(['tty:\r\x1b[K', 'log:WARNING export: retrying\n']);
      // Nothing drawn since: the next line needs no clearing.
      log.info('again');
      expect(out.at(-1)).toBe('log:INFO again\n');
      expect(out.at(-2)).toBe('log:WARNING export: retrying\n');
      jest.advanceTimersByTime(1000);
      expect(out.at(-1)).toMatch(/^tty:\r\x1b\[Kevents: 3 records/);
      p.done();
      log.info('after');
      expect(out.slice(-2)).toEqual(['tty:\r\x1b[K', 'log:INFO after\n']);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('StreamProgress figures', () => {
  const T0 = Date.UTC(2026, 5, 16, 12, 0, 0);
  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('gives each window its own rate, the run’s elapsed time and an ETA from the windows done so far', () => {
    const lines: string[] = [];
    const p = new StreamProgress('events', new Logger('info', (l) => lines.push(l)), null);
    p.records(10);
    jest.setSystemTime(T0 + 2000);
    // 10 records in 2 s; 2 of 5 windows took 2 s, so 3 more take 3 s.
    p.checkpoint('a', { index: 2, total: 5, bytes: 1_300_000 });
    p.records(6);
    jest.setSystemTime(T0 + 5000);
    // A window number without a count, or a count without a number: no window field and no ETA.
    p.checkpoint('b', { index: 3 });
    p.checkpoint('b2', { total: 9 });
    // The first window (index 0) has no past to take an ETA from; an instant window divides by 1 ms.
    p.records(1);
    p.checkpoint('c', { index: 0, total: 4 });
    p.checkpoint('d');
    p.done();
    expect(lines).toEqual([
      'INFO progress: stream=events window=2/5 window_end=a records=10 mb=1.3 records_per_s=5 total=10 elapsed_s=2.0 eta_s=3\n',
      'INFO progress: stream=events window_end=b records=6 records_per_s=2 total=16 elapsed_s=5.0\n',
      'INFO progress: stream=events window_end=b2 records=0 records_per_s=0 total=16 elapsed_s=5.0\n',
      'INFO progress: stream=events window=0/4 window_end=c records=1 records_per_s=1000 total=17 elapsed_s=5.0\n',
      'INFO progress: stream=events window_end=d records=0 records_per_s=0 total=17 elapsed_s=5.0\n',
    ]);
  });

  it('shows on the live line the last window done, the records so far, their rate and the seconds since the start', () => {
    const tty = fakeTty();
    const p = new StreamProgress('events', new Logger('info', () => undefined), tty.stream);
    p.records(10);
    jest.advanceTimersByTime(2000);
    expect(tty.written.at(-1)).toBe('\r\x1b[Kevents: 10 records, 5 records/s, 2 s');
    p.checkpoint('x', { index: 3, total: 12 });
    jest.advanceTimersByTime(1000);
    expect(tty.written.at(-1)).toBe('\r\x1b[Kevents: window 3/12 done, 10 records, 3 records/s, 3 s');
    p.done();
  });

  it('writes nothing to the terminal before the first live line is drawn', () => {
    const tty = fakeTty();
    const lines: string[] = [];
    const p = new StreamProgress('events', new Logger('info', (l) => lines.push(l)), tty.stream);
    p.records(1);
    p.checkpoint('x');
    p.done();
    expect(lines).toHaveLength(1);
    expect(tty.written).toEqual([]);
  });

  it('a progress without a terminal leaves the live line of one on the terminal alone', () => {
    const out: string[] = [];
    const tty = { write: (s: string) => out.push(`tty:${s}`) } as unknown as NodeJS.WriteStream;
    const log = new Logger('info', (l) => out.push(`log:${l}`));
    const onTerminal = new StreamProgress('events', log, tty);
    jest.advanceTimersByTime(1000);
    const piped = new StreamProgress('cohorts', log, null);
    piped.done();
    log.warn('retrying');
    expect(out.slice(-2)).toEqual(['tty:\r\x1b[K', 'log:WARNING retrying\n']);
    onTerminal.done();
  });
});

describe('StreamProgress terminal by default', () => {
  let write: ReturnType<typeof jest.spyOn>;
  let isTTY: PropertyDescriptor | undefined;
  beforeEach(() => {
    jest.useFakeTimers();
    isTTY = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    write.mockRestore();
    if (isTTY) Object.defineProperty(process.stderr, 'isTTY', isTTY);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
    jest.useRealTimers();
  });
  const stderrIsTTY = (value: boolean) => Object.defineProperty(process.stderr, 'isTTY', { value, configurable: true, writable: true });

  it('draws the live line on stderr when stderr is a terminal and info lines are shown', () => {
    stderrIsTTY(true);
    const p = new StreamProgress('events', new Logger('info', () => undefined));
    p.records(4);
    jest.advanceTimersByTime(1000);
    p.done();
    expect(write.mock.calls).toEqual([['\r\x1b[Kevents: 4 records, 4 records/s, 1 s'], ['\r\x1b[K']]);
  });

  it.each([
    ['stderr is no terminal', false, 'info'],
    ['the level hides info lines', true, 'warn'],
  ] as const)('draws nothing when %s', (_why, tty, level) => {
    stderrIsTTY(tty);
    const p = new StreamProgress('events', new Logger(level, () => undefined));
    p.records(4);
    jest.advanceTimersByTime(3000);
    p.done();
    expect(write).not.toHaveBeenCalled();
  });
});
