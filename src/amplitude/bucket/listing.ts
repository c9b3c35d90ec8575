// Which hourly files of the bucket export to read, and which hours are finished.
//
// Completeness rule (README, "Reading events from the bucket export"): Amplitude writes an hour's
// files (and, unless switched off, a `complete` marker) within about an hour after it ends, hour
// after hour. So an hour is complete once a NEWER hour has appeared (any file or marker of a later
// hour); the newest hour present is never read, since its partitions may still be arriving. An
// earlier hour with no object at all is empty, except in a bucket that holds `complete` markers:
// there a missing marker means the export of that hour has not happened, and reading stops before
// it rather than skip it.
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { StreamFailure } from '../../errors.js';
import { s3Failure } from './errors.js';
import { dayName, folderPrefix, HOUR_MS, parseName, type KeyKind } from './layout.js';

export interface BucketFile {
  key: string;
  size: number;
  etag: string | undefined;
  partition: number;
}

export interface ListedHour {
  hour: number;
  files: BucketFile[];
  marker: boolean;
}

export interface HourPlan {
  /** Complete hours from the first asked for, in order; empty ones included. */
  hours: ListedHour[];
  /** Why the plan ends where it does, for the log. */
  stoppedAt: string;
  /** It ends at an hour whose export has not happened (markers in use, neither files nor marker). */
  gap: boolean;
}

async function* listAll(s3: S3Client, bucket: string, prefix: string, opts: { startAfter?: string; delimiter?: string }) {
  let token: string | undefined;
  do {
    let page;
    try {
      page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, StartAfter: token ? undefined : opts.startAfter, Delimiter: opts.delimiter }),
      );
    } catch (err) {
      throw s3Failure(err, `listing s3://${bucket}/${prefix}`, bucket);
    }
    yield page;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** The folders directly under the prefix: project folders (digits) and merged-ID folders (-digits). */
export async function exportFolders(s3: S3Client, bucket: string, prefix: string): Promise<{ projects: string[]; orgs: string[] }> {
  const base = folderPrefix(prefix);
  const projects: string[] = [];
  const orgs: string[] = [];
  for await (const page of listAll(s3, bucket, base, { delimiter: '/' })) {
    for (const p of page.CommonPrefixes ?? []) {
      const name = (p.Prefix ?? '').slice(base.length, -1);
      if (/^\d+$/.test(name)) projects.push(name);
      else if (/^-\d+$/.test(name)) orgs.push(name);
    }
  }
  return { projects, orgs };
}

/** The project folder to read events from: the configured one, else the only one under the prefix. */
export async function projectFolder(s3: S3Client, bucket: string, prefix: string, projectId: string | undefined): Promise<string> {
  const where = `s3://${bucket}/${folderPrefix(prefix)}`;
  const { projects } = await exportFolders(s3, bucket, prefix);
  if (projectId !== undefined) {
    if (!projects.includes(projectId)) {
      throw new StreamFailure(`${where}: there is no folder ${projectId}/ for s3_project_id ${projectId} (found: ${projects.join(', ') || 'none'}); check s3_prefix and s3_project_id`);
    }
    return projectId;
  }
  if (projects.length === 1) return projects[0] as string;
  if (projects.length === 0) {
    throw new StreamFailure(`${where}: no Amplitude project folder ({appId}/) there; check s3_prefix (the folder set in Amplitude's export, empty for the bucket root)`);
  }
  throw new StreamFailure(`${where}: several project folders (${projects.join(', ')}); set s3_project_id to the one to read`);
}

/**
 * Keys held per listing pass; a pass ends at the first day boundary past it, so memory stays
 * bounded on long backfills. TAP_AMPLITUDE_S3_LIST_KEYS lowers it (the tests use it).
 */
export const LIST_BUDGET = Number(process.env.TAP_AMPLITUDE_S3_LIST_KEYS) || 50_000;

export interface Listing {
  hours: Map<number, ListedHour>;
  /** Set when the pass stopped early: the hour of the first object of the first day not listed. */
  newerHour: number | null;
}

/**
 * The files of `kind` and the markers in `folder` (e.g. `events/829528/`) named for folder id
 * `id`, from the day of `fromHour` on, grouped by hour (hours before `fromHour` included: they
 * count towards the newest hour only). Keys sort by day, but within a day "10" comes before "2",
 * so a pass that stops early stops between two days.
 */
export async function listHours(s3: S3Client, bucket: string, folder: string, id: string, kind: KeyKind, fromHour: number, maxKeys = LIST_BUDGET): Promise<Listing> {
  const hours = new Map<number, ListedHour>();
  const namePrefix = `${folder}${id}_`;
  let held = 0;
  let lastDay = -1;
  let newerHour: number | null = null;
  pages: for await (const page of listAll(s3, bucket, namePrefix, { startAfter: `${folder}${dayName(id, fromHour)}` })) {
    for (const object of page.Contents ?? []) {
      const key = object.Key ?? '';
      const parsed = parseName(key.slice(folder.length), id);
      if (!parsed || (parsed.kind !== kind && parsed.kind !== 'marker')) continue;
      const day = Math.floor(parsed.hour / 86_400_000);
      if (held >= maxKeys && day !== lastDay) {
        newerHour = parsed.hour;
        break pages;
      }
      lastDay = day;
      held++;
      let entry = hours.get(parsed.hour);
      if (!entry) hours.set(parsed.hour, (entry = { hour: parsed.hour, files: [], marker: false }));
      if (parsed.kind === 'marker') entry.marker = true;
      else entry.files.push({ key, size: object.Size ?? 0, etag: object.ETag, partition: parsed.partition });
    }
  }
  for (const entry of hours.values()) entry.files.sort((a, b) => a.partition - b.partition || (a.key < b.key ? -1 : 1));
  return { hours, newerHour };
}

/**
 * The hours after which a STATE is written: each hour that held files, and the last of a run of
 * empty hours (one STATE per run, not per empty hour).
 */
export function checkpointHours(hours: readonly ListedHour[]): Set<number> {
  const out = new Set<number>();
  hours.forEach((h, i) => {
    const next = hours[i + 1];
    if (h.files.length > 0 || !next || next.files.length > 0) out.add(h.hour);
  });
  return out;
}

const iso = (hour: number): string => new Date(hour).toISOString().replace(':00.000Z', 'Z');

/** The complete hours from `fromHour` up to (excluding) `untilHour`, by the rule at the top of this file. */
export function planHours(listing: Listing, fromHour: number, untilHour: number): HourPlan {
  const listed = listing.hours;
  // A pass that stopped early has listed every day before the next object's day, and nothing of that day.
  const newest = listing.newerHour !== null ? Math.floor(listing.newerHour / 86_400_000) * 86_400_000 : Math.max(...listed.keys());
  if (listing.newerHour === null && listed.size === 0) return { hours: [], stoppedAt: 'no export file from that hour on yet', gap: false };
  const markers = [...listed.values()].some((h) => h.marker);
  const end = Math.min(newest, untilHour);
  const hours: ListedHour[] = [];
  for (let hour = fromHour; hour < end; hour += HOUR_MS) {
    const entry = listed.get(hour);
    if (!entry && markers) {
      return { hours, stoppedAt: `hour ${iso(hour)} has neither files nor a complete marker while later hours do: its export has not happened yet, so reading stops before it`, gap: true };
    }
    hours.push(entry ?? { hour, files: [], marker: false });
  }
  const stoppedAt =
    end === untilHour ? 'end_date' : listing.newerHour !== null ? 'the listing continues in the next pass' : `the newest hour present (${iso(newest)}) may still be arriving`;
  return { hours, stoppedAt, gap: false };
}
