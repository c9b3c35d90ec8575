// Every stream the tap offers, in the order discovery lists and a sync runs them. Chart streams
// come from config (Amplitude has no API that lists charts).
import type { Config } from '../config.js';
import { activeUsersStream } from './active-users.js';
import { annotationCategoriesStream } from './annotation-categories.js';
import { annotationsStream } from './annotations.js';
import { averageSessionLengthStream } from './average-session-length.js';
import { chartStream, CHART_STREAM_PREFIX } from './chart.js';
import { chartsMetadataStream } from './charts-metadata.js';
import { cohortMembersStream } from './cohort-members.js';
import { cohortsStream } from './cohorts.js';
import { eventsStream } from './events.js';
import { eventsListStream } from './events-list.js';
import { mergedIdsStream } from './merged-ids.js';
import { TAXONOMY_STREAMS } from './taxonomy.js';
import type { StreamDefinition } from './types.js';

export const FIXED_STREAMS: readonly StreamDefinition[] = [
  eventsStream,
  activeUsersStream,
  averageSessionLengthStream,
  annotationsStream,
  annotationCategoriesStream,
  cohortsStream,
  cohortMembersStream,
  eventsListStream,
  ...TAXONOMY_STREAMS,
];

export function streamsFor(config: Pick<Config, 'chart_ids'> & Partial<Pick<Config, 'events_source'>>): StreamDefinition[] {
  const charts = config.chart_ids.map(chartStream);
  // merged_ids exists only in the bucket export.
  const bucket = config.events_source === 's3' ? [mergedIdsStream] : [];
  return [...FIXED_STREAMS, ...bucket, ...charts, ...(charts.length > 0 ? [chartsMetadataStream] : [])];
}

/** A chart stream the config may have dropped since the catalog was made (skipped with a warning). */
export function isChartStreamName(name: string): boolean {
  return name.startsWith(CHART_STREAM_PREFIX) || name === chartsMetadataStream.name;
}

/**
 * One warning per chart of chart_ids that the input catalog does not list at all (the catalog was
 * made before the chart was added): such a chart is not synced until --discover lists it.
 */
export function chartsMissingFromCatalog(catalog: unknown, config: Pick<Config, 'chart_ids'>): string[] {
  const entries = (catalog as { streams?: unknown } | null)?.streams;
  if (!Array.isArray(entries)) return [];
  const names = new Set(
    entries.map((s: unknown) => {
      const e = (s ?? {}) as { tap_stream_id?: unknown; stream?: unknown };
      return typeof e.tap_stream_id === 'string' ? e.tap_stream_id : e.stream;
    }),
  );
  return config.chart_ids
    .filter((id) => !names.has(CHART_STREAM_PREFIX + id))
    .map((id) => `chart_ids lists chart ${id}, but the catalog has no stream "${CHART_STREAM_PREFIX}${id}", so it is not synced; run --discover again and select it`);
}

/** A stream the config may have dropped since the catalog was made: a chart, or merged_ids without events_source s3. */
export function isConfigDependentStream(name: string): boolean {
  return isChartStreamName(name) || name === mergedIdsStream.name;
}
