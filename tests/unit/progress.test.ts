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
