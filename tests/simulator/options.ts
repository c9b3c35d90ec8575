// Simulator options and their defaults. Everything the simulator serves derives from these.
import { HOUR_MS } from './time-format.js';

export interface SimulatorOptions {
  host?: string;
  port?: number;
  apiKey?: string;
  secretKey?: string;
  seed?: number;
  /** ISO UTC; first upload instant with data. Default: start of the hour 7 days before now. */
  dataStart?: string;
  /** ISO UTC; data up to (exclusive) this instant. Default: now (at creation). */
  dataEnd?: string;
  eventsPerHour?: number;
  maxMembersPerHour?: number;
  exportLagHours?: number;
  maxExportBytes?: number;
  appId?: number;
  now?: () => Date;
  annotationsV3?: boolean;
  countryProperty?: boolean;
  dashboardSeries?: 'normal' | 'empty' | 'short';
  costBudget?: { per5Min: number; perHour: number };
  /** false: the plan lacks the Taxonomy API (every taxonomy path answers 404). Default true. */
  taxonomy?: boolean;
  /** false: a project without group types. Default true. */
  groupTypes?: boolean;
  /** Status polls a cohort download job answers "JOB INPROGRESS" before it completes. Default 2. */
  cohortPolls?: number;
  /** Cohorts up to this many members come in the /file body; larger ones redirect to the S3 stand-in. Default 100. */
  cohortInlineMax?: number;
  /** Member counts of computed cohorts, by their index in the cohort list. */
  cohortSizes?: Record<number, number>;
  /** Caps the bytes per second of all response bodies together (one shared link); default none. */
  bandwidthBytesPerSecond?: number;
}

export interface ResolvedOptions {
  host: string;
  port: number;
  apiKey: string;
  secretKey: string;
  seed: number;
  dataStart: string;
  dataEnd: string;
  eventsPerHour: number;
  maxMembersPerHour: number;
  exportLagHours: number;
  maxExportBytes: number;
  appId: number;
  now: () => Date;
  annotationsV3: boolean;
  countryProperty: boolean;
  dashboardSeries: 'normal' | 'empty' | 'short';
  costBudget: { per5Min: number; perHour: number } | undefined;
  taxonomy: boolean;
  groupTypes: boolean;
  cohortPolls: number;
  cohortInlineMax: number;
  cohortSizes: Record<number, number>;
  bandwidthBytesPerSecond: number | undefined;
  /** dataStart / dataEnd as epoch milliseconds. */
  dataStartMs: number;
  dataEndMs: number;
}

const DEFAULT_DAYS = 7;

export function resolveOptions(opts: SimulatorOptions = {}): ResolvedOptions {
  const now = opts.now ?? ((): Date => new Date());
  const nowMs = now().getTime();
  const dataStartMs =
    opts.dataStart !== undefined
      ? parseInstant(opts.dataStart, 'dataStart')
      : (Math.floor(nowMs / HOUR_MS) - DEFAULT_DAYS * 24) * HOUR_MS;
  const dataEndMs = opts.dataEnd !== undefined ? parseInstant(opts.dataEnd, 'dataEnd') : nowMs;
  return {
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    apiKey: opts.apiKey ?? 'demo-api-key',
    secretKey: opts.secretKey ?? 'demo-secret-key',
    seed: opts.seed ?? 1,
    dataStart: new Date(dataStartMs).toISOString(),
    dataEnd: new Date(dataEndMs).toISOString(),
    eventsPerHour: opts.eventsPerHour ?? 30,
    maxMembersPerHour: Math.max(1, opts.maxMembersPerHour ?? 3),
    exportLagHours: opts.exportLagHours ?? 2,
    maxExportBytes: opts.maxExportBytes ?? 4 * 1024 ** 3,
    appId: opts.appId ?? 829528,
    now,
    annotationsV3: opts.annotationsV3 ?? true,
    countryProperty: opts.countryProperty ?? true,
    dashboardSeries: opts.dashboardSeries ?? 'normal',
    costBudget: opts.costBudget,
    taxonomy: opts.taxonomy ?? true,
    groupTypes: opts.groupTypes ?? true,
    cohortPolls: opts.cohortPolls ?? 2,
    cohortInlineMax: opts.cohortInlineMax ?? 100,
    cohortSizes: opts.cohortSizes ?? {},
    bandwidthBytesPerSecond: opts.bandwidthBytesPerSecond,
    dataStartMs,
    dataEndMs,
  };
}

function parseInstant(text: string, name: string): number {
  // A zone-less string would be read as local time; insist on an explicit zone.
  if (!/(Z|[+-]\d{2}:\d{2})$/.test(text)) throw new Error(`${name} must be an ISO instant with a zone: ${text}`);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`${name} is not a valid ISO instant: ${text}`);
  return ms;
}
