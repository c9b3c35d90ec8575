// Object keys of Amplitude's bucket export (amplitude-api.md §13.4), all times UTC upload hours:
//   events      {prefix}/{appId}/{appId}_{yyyy-MM-dd}_{H}#{partition}.json.gz
//   merged IDs  {prefix}/-{orgId}/-{orgId}_{yyyy-MM-dd}_{H}.json.gz   (legacy: {appId}/{appId}_..._{H}.json.gz)
// H has no leading zero. `complete` markers have no documented name: any object of the folder whose
// name starts with the hour's `{id}_{yyyy-MM-dd}_{H}` and contains "complete" counts as one.

const HOUR_MS = 3_600_000;

export type KeyKind = 'events' | 'merged' | 'marker';

export interface ParsedKey {
  kind: KeyKind;
  /** The upload hour's start, epoch milliseconds. */
  hour: number;
  /** The `#n` of an event file; 0 for other kinds. */
  partition: number;
}

const NAME = /^(-?\d+)_(\d{4})-(\d{2})-(\d{2})_(\d{1,2})(?![0-9])(.*)$/;
const EVENT_TAIL = /^#(\d+)\.json\.gz$/;

/** The prefix as a folder: no leading slash, one trailing slash unless empty. */
export function folderPrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/** What a file name (the part after the folder) is, for the folder id `id` (`829528` or `-189524`); null when it is none of ours. */
export function parseName(name: string, id: string): ParsedKey | null {
  const m = NAME.exec(name);
  if (!m || m[1] !== id) return null;
  const hourOfDay = Number(m[5]);
  if (hourOfDay > 23) return null;
  const hour = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]), hourOfDay);
  const tail = m[6] as string;
  const event = EVENT_TAIL.exec(tail);
  if (event) return id.startsWith('-') ? null : { kind: 'events', hour, partition: Number(event[1]) };
  if (tail === '.json.gz') return { kind: 'merged', hour, partition: 0 };
  if (/complete/i.test(tail)) return { kind: 'marker', hour, partition: 0 };
  return null;
}

/** The `{id}_{yyyy-MM-dd}` every file of that day starts with. */
export function dayName(id: string, hour: number): string {
  return `${id}_${new Date(hour).toISOString().slice(0, 10)}`;
}

export { HOUR_MS };
