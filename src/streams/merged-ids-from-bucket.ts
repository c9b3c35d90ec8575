// Reads the merged-ID files: the folder -{orgId}/ under s3_merged_ids_prefix (else s3_prefix), or
// for legacy organisations the project folder's files without a #partition. Same completeness
// rule as the events files (listing.ts); a STATE after each hour that held files and after each run of empty hours.
import type { S3Client } from '@aws-sdk/client-s3';
import { DateTime } from 'luxon';
import { bucketSettingsOf, createS3Client } from '../amplitude/bucket/client.js';
import { folderPrefix } from '../amplitude/bucket/layout.js';
import { exportFolders, type ListedHour } from '../amplitude/bucket/listing.js';
import { readCompleteHours } from '../amplitude/bucket/reader.js';
import { AbortError } from '../amplitude/errors.js';
import { bookmarkValue, floorHour, lastHourBefore, parseBookmarkHour } from '../amplitude/export-hours.js';
import { StreamFailure } from '../errors.js';
import { MERGED_RESUME_KEY } from './merged-ids.js';
import type { StreamContext, StreamItem } from './types.js';

const HOUR_MS = 3_600_000;

/** The folder and its file-name id (a project folder is a candidate only: legacy organisations' files sit there), or null. */
async function mergedFolder(s3: S3Client, bucket: string, prefix: string, projectId: string | undefined): Promise<{ folder: string; id: string; legacy: boolean } | null> {
  const base = folderPrefix(prefix);
  const { orgs, projects } = await exportFolders(s3, bucket, prefix);
  if (orgs.length > 1) throw new StreamFailure(`s3://${bucket}/${base}: several merged-ID folders (${orgs.join(', ')}); a bucket serves one organisation, check s3_merged_ids_prefix`);
  if (orgs.length === 1) return { folder: `${base}${orgs[0]}/`, id: orgs[0] as string, legacy: false };
  const legacy = projectId ?? (projects.length === 1 ? projects[0] : undefined);
  return legacy ? { folder: `${base}${legacy}/`, id: legacy, legacy: true } : null;
}

export async function* mergedIdsFromBucket(ctx: StreamContext): AsyncGenerator<StreamItem> {
  const { config } = ctx;
  // The bucket reader names the stream in its own lines.
  const log = ctx.log.run;
  const b = bucketSettingsOf(config);
  const resume = ctx.bookmark ? parseBookmarkHour(ctx.bookmark[MERGED_RESUME_KEY]) : null;
  const from = (resume ?? floorHour(config.start_date as DateTime)).toMillis();
  const until = config.end_date ? lastHourBefore(config.end_date).toMillis() + HOUR_MS : Number.POSITIVE_INFINITY;
  let maxServerTime = typeof ctx.bookmark?.merge_server_time === 'number' ? ctx.bookmark.merge_server_time : null;
  const s3 = await createS3Client(config, log);
  try {
    const where = await mergedFolder(s3, b.bucket, b.mergedPrefix, b.projectId);
    if (!where) {
      ctx.log.info(`s3://${b.bucket}/${folderPrefix(b.mergedPrefix)} holds no merged-ID export (no -{orgId}/ folder); nothing to read`);
      return;
    }
    const bookmarkAfter = (hour: ListedHour) => ({
      [MERGED_RESUME_KEY]: bookmarkValue(DateTime.fromMillis(hour.hour + HOUR_MS, { zone: 'utc' })),
      ...(maxServerTime !== null ? { merge_server_time: maxServerTime } : {}),
    });
    let sawFile = false;
    const read = { label: 'merged_ids', folder: where.folder, id: where.id, kind: 'merged' as const, from, until };
    for await (const item of readCompleteHours({ s3, bucket: b.bucket, tempDir: ctx.tempDir, log, signal: ctx.signal, concurrency: b.concurrency }, read)) {
      if (ctx.signal.aborted) throw new AbortError();
      if ('hourDone' in item) {
        if (item.checkpoint) yield { bookmark: bookmarkAfter(item.hourDone) };
        continue;
      }
      sawFile = true;
      for (const [i, line] of item.lines.entries()) {
        let record: unknown;
        try {
          record = JSON.parse(line);
        } catch {
          record = null;
        }
        if (typeof record !== 'object' || record === null || Array.isArray(record)) {
          throw new StreamFailure(`s3://${b.bucket}/${item.file.key} line ${item.firstLine + i}: not a JSON object; the merged-ID file is damaged`);
        }
        const serverTime = (record as Record<string, unknown>).merge_server_time;
        if (typeof serverTime === 'number' && (maxServerTime === null || serverTime > maxServerTime)) maxServerTime = serverTime;
        yield { record: record as Record<string, unknown> };
      }
    }
    if (!sawFile && where.legacy) ctx.log.info(`no merged-ID files: no -{orgId}/ folder under s3://${b.bucket}/${folderPrefix(b.mergedPrefix)}, and none of a legacy organisation in ${where.folder}`);
  } finally {
    s3.destroy();
  }
}
