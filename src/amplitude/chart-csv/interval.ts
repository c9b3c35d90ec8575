// The chart interval, read from the first table's column headers (docs/chart-layouts.md,
// "charts_metadata").
import { DateTime } from 'luxon';

export type ChartInterval = 'day' | 'week' | 'month';

const DATE_COLUMN = /^(\d{4}-\d{2}-\d{2})(T00:00:00)?$/;

/**
 * The step between consecutive date columns: 1 day → day, 7 days → week, first-of-month dates
 * one month apart → month. A single date column: `YYYY-MM-DD` → day, `…T00:00:00` → week (the
 * formats Amplitude uses for those intervals). Anything else, or mixed formats → null.
 */
export function detectInterval(columns: readonly string[]): ChartInterval | null {
  const dates: DateTime[] = [];
  let withTime: boolean | null = null;
  for (const column of columns) {
    const match = DATE_COLUMN.exec(column);
    if (match === null) return null;
    const hasTime = match[2] !== undefined;
    if (withTime !== null && withTime !== hasTime) return null;
    withTime = hasTime;
    const date = DateTime.fromISO(match[1]!, { zone: 'utc' });
    if (!date.isValid) return null;
    dates.push(date);
  }
  if (dates.length === 0) return null;
  if (dates.length === 1) return withTime ? 'week' : 'day';
  if (everyStep(dates, (prev) => prev.plus({ days: 1 }))) return 'day';
  if (everyStep(dates, (prev) => prev.plus({ days: 7 }))) return 'week';
  if (dates.every((d) => d.day === 1) && everyStep(dates, (prev) => prev.plus({ months: 1 }))) {
    return 'month';
  }
  return null;
}

function everyStep(dates: readonly DateTime[], next: (prev: DateTime) => DateTime): boolean {
  for (let i = 1; i < dates.length; i++) {
    if (!next(dates[i - 1]!).equals(dates[i]!)) return false;
  }
  return true;
}
