// Ground truth: what the simulator serves, computed directly from the same models, for tests to
// compare the tap's output with.
import { annotationCategories, annotationsV2, annotationsV3 } from './annotations.js';
import { chartModel, type ChartModel } from './charts.js';
import { CohortDownloads, type CohortMember } from './cohort-download.js';
import { activeUsersSeries, sessionLengthSeries } from './dashboard.js';
import { eventsList } from './events-list.js';
import type { Exporter } from './export.js';
import { lastExportableHour } from './export.js';
import type { ResolvedOptions } from './options.js';
import { taxonomyModel, type TaxonomyModel } from './taxonomy.js';
import { hourKey, isoDate, parseDayKey, parseHourKey } from './time-format.js';

export interface GroundTruth {
  /** Every event uploaded in the hours ('YYYYMMDDTHH', both inclusive), parsed, in serving order; ignores the export lag. */
  events(startHour: string, endHour: string): Record<string, unknown>[];
  /** The same events as the exact JSON lines served (without the trailing newline); big integers keep their digits here. */
  rawEventLines(startHour: string, endHour: string): string[];
  /** The newest hour the export serves at the current clock (whether or not it holds events). */
  lastExportableHour(): string;
  /** One record per day ('YYYYMMDD', inclusive): statistics keyed by series label ("0" without a group-by). */
  activeUsers(start: string, end: string, opts?: { groupByCountry?: boolean }): { date: string; statistics: Record<string, number> }[];
  averageSessionLength(start: string, end: string): { date: string; length: number }[];
  annotationsV3(): Record<string, unknown>[];
  annotationsV2(): Record<string, unknown>[];
  cohorts(): Record<string, unknown>[];
  /** The members a download of the cohort serves now, with the given properties. */
  cohortMembers(cohortId: string, properties?: readonly string[]): CohortMember[];
  annotationCategories(): Record<string, unknown>[];
  eventsList(): Record<string, unknown>[];
  /** What the Taxonomy API serves (whether or not the plan has it). */
  taxonomy(): TaxonomyModel;
  /** Throws for ids starting with 'missing' or 'forbidden'. */
  chart(id: string): ChartModel;
}

export function createTruth(o: ResolvedOptions, exporter: Exporter, cohortDownloads = new CohortDownloads(o)): GroundTruth {
  const hours = (startHour: string, endHour: string): [number, number] => {
    const first = parseHourKey(startHour);
    const last = parseHourKey(endHour);
    if (first === null || last === null) throw new Error(`invalid hour key: ${startHour} / ${endHour}`);
    return [first, last];
  };
  const days = (start: string, end: string): [number, number] => {
    const first = parseDayKey(start);
    const last = parseDayKey(end);
    if (first === null || last === null) throw new Error(`invalid day key: ${start} / ${end}`);
    return [first, last];
  };
  const rawEventLines = (startHour: string, endHour: string): string[] =>
    [...exporter.source.lines(...hours(startHour, endHour))].map((line) => line.slice(0, -1));
  return {
    events: (startHour, endHour) => rawEventLines(startHour, endHour).map((line) => JSON.parse(line) as Record<string, unknown>),
    rawEventLines,
    lastExportableHour: () => hourKey(lastExportableHour(o.now().getTime(), o.exportLagHours)),
    activeUsers: (start, end, opts) => {
      const model = activeUsersSeries(o, ...days(start, end), opts?.groupByCountry === true);
      return model.days.map((day, d) => ({
        date: isoDate(day),
        statistics: Object.fromEntries(model.labels.map((label, k) => [String(label), (model.series[k] as number[])[d] as number])),
      }));
    },
    averageSessionLength: (start, end) => {
      const model = sessionLengthSeries(o, ...days(start, end));
      return model.days.map((day, d) => ({ date: isoDate(day), length: model.lengths[d] as number }));
    },
    annotationsV3: () => annotationsV3(o),
    annotationsV2: () => annotationsV2(o),
    cohorts: () => cohortDownloads.list(),
    cohortMembers: (id, properties) => [...cohortDownloads.members(id, properties)],
    annotationCategories: () => annotationCategories(),
    eventsList: () => eventsList(o),
    taxonomy: () => taxonomyModel(o),
    chart: (id) => chartModel(o, id),
  };
}
