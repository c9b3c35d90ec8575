// Reads one chart's CSV export once per run and shares it between chart_<id> and charts_metadata.
import { AmplitudeHttpError } from '../amplitude/errors.js';
import { extractChartCsv, parseChartCsv, type ParsedChart } from '../amplitude/chart-csv.js';
import { StreamFailure } from '../errors.js';
import { isCredentialsRejection } from '../failures.js';
import type { StreamContext } from './types.js';

function chartFailure(chartId: string, err: unknown): unknown {
  if (!(err instanceof AmplitudeHttpError)) return err;
  if (err.status === 404) {
    return new StreamFailure(
      `chart ${chartId}: Amplitude has no chart with this ID (404). Check chart_ids: the ID is the part after /chart/ in the chart's URL, and the chart must not have been deleted.`,
    );
  }
  if (err.status === 403 && !isCredentialsRejection(err)) {
    return new StreamFailure(
      `chart ${chartId}: Amplitude refused access (403). The chart must belong to the project of this api_key (charts are per project), or check secret_key and data_region.`,
    );
  }
  return err;
}

/**
 * The chart for its own chart_<id> stream, whose failure the sync loop reports; charts_metadata
 * then leaves that chart out without repeating the error (one line per chart).
 */
export async function loadChartForStream(ctx: StreamContext, chartId: string): Promise<ParsedChart> {
  try {
    return await loadChart(ctx, chartId);
  } catch (err) {
    ctx.shared.reportedCharts.add(chartId);
    throw err;
  }
}

/** Whether the chart's failure was already reported by its chart_<id> stream in this run. */
export function chartFailureReported(ctx: StreamContext, chartId: string): boolean {
  return ctx.shared.reportedCharts.has(chartId);
}

/**
 * Starts reading every chart this run needs (its chart_<id> stream or charts_metadata selected), so
 * that their requests run side by side within max_concurrency; each stream still awaits its own.
 */
export function startChartLoads(ctx: StreamContext): void {
  const all = ctx.selected?.has('charts_metadata') === true;
  for (const id of ctx.config.chart_ids) if (all || ctx.selected?.has(`chart_${id}`) === true) void loadChart(ctx, id);
}

export function loadChart(ctx: StreamContext, chartId: string): Promise<ParsedChart> {
  let pending = ctx.shared.charts.get(chartId);
  if (!pending) {
    pending = (async () => {
      try {
        // A chart query costs what the chart's own query costs; 1 is the floor the budget knows.
        const { body } = await ctx.client.getJson(`/api/3/chart/${encodeURIComponent(chartId)}/csv`, { endpoint: `chart ${chartId}`, cost: 1 });
        const parsed = parseChartCsv(extractChartCsv(body));
        // About the chart, not the stream that happened to read it first.
        for (const w of parsed.warnings) ctx.log.run.warn(`chart ${chartId}: ${w}`);
        return parsed;
      } catch (err) {
        throw chartFailure(chartId, err);
      }
    })();
    pending.catch(() => undefined); // the stream that awaits it reports the failure
    ctx.shared.charts.set(chartId, pending);
  }
  return pending;
}
