// What a user may put in chart_ids: a chart ID or the chart's URL from the Amplitude web app
// (docs/amplitude-api.md §11.1).

const CHART_ID_RE = /^[a-z0-9]+$/;

/** The path segments after the last `chart` segment of a URL, or null when it is not a URL. */
function afterChart(value: string): string[] | null {
  const v = value.trim();
  if (!URL.canParse(v)) return null;
  const parts = new URL(v).pathname.split('/').filter(Boolean);
  const i = parts.lastIndexOf('chart');
  return i >= 0 ? parts.slice(i + 1) : [];
}

/** A chart ID, or a chart URL whose path has `/chart/<id>`: the ID, or null when there is none. */
export function chartIdFrom(value: string): string | null {
  const v = value.trim();
  if (CHART_ID_RE.test(v)) return v;
  const id = afterChart(v)?.[0];
  return id !== undefined && id !== 'new' && CHART_ID_RE.test(id) ? id : null;
}

/** The URL of a chart not saved yet (`…/chart/new/…`): the API knows no ID for it. */
export function isUnsavedChartUrl(value: string): boolean {
  return afterChart(value)?.[0] === 'new';
}

/** The host of a chart URL on Amplitude's EU data center (`app.eu.`, `analytics.eu.amplitude.com`), else null. */
export function euChartUrlHost(value: string): string | null {
  const v = value.trim();
  if (!URL.canParse(v)) return null;
  const host = new URL(v).hostname.toLowerCase();
  return host.endsWith('.eu.amplitude.com') ? host : null;
}
