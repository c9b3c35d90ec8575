import { describe, expect, it, jest } from '@jest/globals';
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
});
