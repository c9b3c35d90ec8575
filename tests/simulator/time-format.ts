// Hour and day keys as Amplitude writes them, and the raw export timestamp format
// `YYYY-MM-DD HH:MM:SS.ffffff` (UTC, no zone). Hours and days are integer indexes since the epoch.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** 'YYYYMMDDTHH' → hour index, or null when malformed or not a real date/hour. */
export function parseHourKey(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  const ms = Date.UTC(y, mo - 1, d, h);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23) return null;
  return ms / HOUR_MS;
}

/** 'YYYYMMDD' → day index, or null. */
export function parseDayKey(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY_MS;
}

export function isoDate(dayIndex: number): string {
  return new Date(dayIndex * DAY_MS).toISOString().slice(0, 10);
}

export function hourKey(hourIndex: number): string {
  const iso = new Date(hourIndex * HOUR_MS).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}`;
}

/** The date part and unpadded hour of an export member name: ['2026-06-16', '0']. */
export function memberDateHour(hourIndex: number): [string, string] {
  const d = new Date(hourIndex * HOUR_MS);
  return [d.toISOString().slice(0, 10), String(d.getUTCHours())];
}

const dayCache = new Map<number, string>();

/** Epoch microseconds → 'YYYY-MM-DD HH:MM:SS.ffffff'. Hot path: the date part is cached per day. */
export function formatMicros(epochMicros: number): string {
  const day = Math.floor(epochMicros / 86_400_000_000);
  let date = dayCache.get(day);
  if (date === undefined) {
    date = isoDate(day);
    if (dayCache.size > 4096) dayCache.clear();
    dayCache.set(day, date);
  }
  let rest = epochMicros - day * 86_400_000_000;
  const h = Math.floor(rest / 3_600_000_000);
  rest -= h * 3_600_000_000;
  const mi = Math.floor(rest / 60_000_000);
  rest -= mi * 60_000_000;
  const s = Math.floor(rest / 1_000_000);
  const us = rest - s * 1_000_000;
  return `${date} ${pad2(h)}:${pad2(mi)}:${pad2(s)}.${String(us).padStart(6, '0')}`;
}
