// Singer METRIC lines on stderr: record counts per stream reported as deltas that add up to the
// total (on a timer and at the end), and one timer line per HTTP request (LOG-2).
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '../../src/singer/log.js';
import { Metrics } from '../../src/singer/metrics.js';

function capture(intervalMs?: number): { metrics: Metrics; lines: string[] } {
  const lines: string[] = [];
  return { metrics: new Metrics(new Logger('info', (l) => lines.push(l)), intervalMs), lines };
}

const counter = (stream: string, value: number) =>
  `INFO METRIC: {"type":"counter","metric":"record_count","value":${value},"tags":{"stream":"${stream}"}}\n`;

describe('record counts', () => {
  it('reports what each stream added since the last report, and nothing for a stream that added nothing', () => {
    const { metrics, lines } = capture();
    metrics.countRecords('events', 3);
    metrics.countRecords('cohorts');
    metrics.report();
    expect(lines).toEqual([counter('events', 3), counter('cohorts', 1)]);
    metrics.countRecords('events', 2);
    metrics.report();
    expect(lines.slice(2)).toEqual([counter('events', 2)]);
    metrics.report();
    expect(lines).toHaveLength(3);
    expect(metrics.recordCount('events')).toBe(5);
    expect(metrics.recordCount('annotations')).toBe(0);
  });

  describe('on a timer', () => {
    beforeEach(() => {
      jest.useFakeTimers();
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('reports every interval and once more at stop, then never again', () => {
      const { metrics, lines } = capture(1000);
      metrics.start();
      metrics.start(); // a second start keeps the one timer
      metrics.countRecords('events', 4);
      jest.advanceTimersByTime(999);
      expect(lines).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(lines).toEqual([counter('events', 4)]);
      metrics.countRecords('events', 6);
      jest.advanceTimersByTime(1000);
      expect(lines.slice(1)).toEqual([counter('events', 6)]);
      metrics.countRecords('events', 1);
      metrics.stop();
      expect(lines.slice(2)).toEqual([counter('events', 1)]);
      metrics.countRecords('events', 9);
      jest.advanceTimersByTime(5000);
      expect(lines).toHaveLength(3);
    });
  });
});

describe('HTTP requests', () => {
  const timer = (endpoint: string, value: number, code: number | null, status: string) =>
    `INFO METRIC: {"type":"timer","metric":"http_request_duration","value":${value},"tags":{"endpoint":"${endpoint}","http_status_code":${code},"status":"${status}"}}\n`;

  it('times each request in seconds (whole milliseconds) and calls a status below 400 a success', () => {
    const { metrics, lines } = capture();
    metrics.httpRequest('export', 200, 1234.4);
    metrics.httpRequest('export', 399, 1500.6);
    metrics.httpRequest('chart', 400, 20);
    metrics.httpRequest('chart', 404, 7);
    metrics.httpRequest('cohort', 503, 3000);
    metrics.httpRequest('cohort', null, 60_000);
    expect(lines).toEqual([
      timer('export', 1.234, 200, 'succeeded'),
      timer('export', 1.501, 399, 'succeeded'),
      timer('chart', 0.02, 400, 'failed'),
      timer('chart', 0.007, 404, 'failed'),
      timer('cohort', 3, 503, 'failed'),
      timer('cohort', 60, null, 'failed'),
    ]);
  });

  it('takes the caller’s word on success when given (export’s expected "no data" 404)', () => {
    const { metrics, lines } = capture();
    metrics.httpRequest('export', 404, 250, true);
    metrics.httpRequest('export', 200, 250, false);
    expect(lines).toEqual([timer('export', 0.25, 404, 'succeeded'), timer('export', 0.25, 200, 'failed')]);
  });
});
