// Amplitude's bucket export (amplitude-api.md §13.4) as objects, made from the same events the
// simulator's Export API serves, so the two paths can be compared:
//   {prefix}{appId}/{appId}_{yyyy-MM-dd}_{H}#{partition}.json.gz   one per Export archive member, #1 first (the documented example)
//   {prefix}{appId}/{appId}_{yyyy-MM-dd}_{H}_complete              a `complete` marker per hour (optional; name not documented)
//   {prefix}-{orgId}/-{orgId}_{yyyy-MM-dd}_{H}.json.gz              merged Amplitude IDs (optional)
import zlib from 'node:zlib';
import { EventSource } from './events.js';
import { resolveOptions, type SimulatorOptions } from './options.js';
import { hash, Rng } from './random.js';
import { HOUR_MS, memberDateHour, parseHourKey } from './time-format.js';

export interface BucketLayout {
  /** The folder Amplitude writes under, '' or ending in '/'. */
  prefix?: string;
  /** Write a `complete` marker for every hour, empty ones included. */
  markers?: boolean;
  /** Organisation id for merged-ID files; none when undefined. */
  orgId?: number;
  /** Merged IDs per hour (default 3). */
  mergesPerHour?: number;
}

export interface BucketObject {
  key: string;
  body: Buffer;
}

export interface MergedId {
  scope: number;
  merge_time: number;
  merge_server_time: number;
  amplitude_id: number;
  merged_amplitude_id: number;
}

/** The merged IDs uploaded in an hour (hour index), in file order. */
export function mergedIds(seed: number, hour: number, perHour: number): MergedId[] {
  const out: MergedId[] = [];
  for (let i = 0; i < perHour; i++) {
    const r = new Rng(hash(seed, 'merge', hour, i));
    const serverTime = hour * HOUR_MS + r.int(HOUR_MS);
    out.push({
      scope: 1,
      merge_time: serverTime - r.int(60_000),
      merge_server_time: serverTime,
      amplitude_id: 1_600_000_000_000 + r.int(1_000_000_000),
      merged_amplitude_id: 1_700_000_000_000 + r.int(1_000_000_000),
    });
  }
  return out;
}

const gzip = (text: string): Buffer => zlib.gzipSync(text, { level: 3 });

/** Every object of the upload hours [startHour, endHour] ('YYYYMMDDTHH', inclusive), hour by hour. */
export function* bucketObjects(opts: SimulatorOptions, startHour: string, endHour: string, layout: BucketLayout = {}): Generator<BucketObject> {
  const o = resolveOptions(opts);
  const source = new EventSource(o);
  const first = parseHourKey(startHour);
  const last = parseHourKey(endHour);
  if (first === null || last === null || last < first) throw new Error(`invalid hours ${startHour}..${endHour}`);
  const prefix = layout.prefix ?? '';
  const app = String(o.appId);
  for (let hour = first; hour <= last; hour++) {
    const [date, h] = memberDateHour(hour);
    for (const [m, member] of source.members(hour).entries()) {
      let text = '';
      for (const line of source.memberLines(hour, m, member)) text += line;
      yield { key: `${prefix}${app}/${app}_${date}_${h}#${m + 1}.json.gz`, body: gzip(text) };
    }
    if (layout.markers) yield { key: `${prefix}${app}/${app}_${date}_${h}_complete`, body: Buffer.alloc(0) };
    if (layout.orgId !== undefined) {
      const org = `-${layout.orgId}`;
      const merges = mergedIds(o.seed, hour, layout.mergesPerHour ?? 3);
      if (merges.length > 0) {
        yield { key: `${prefix}${org}/${org}_${date}_${h}.json.gz`, body: gzip(merges.map((x) => JSON.stringify(x) + '\n').join('')) };
      }
    }
  }
}
