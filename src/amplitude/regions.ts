// Amplitude serves the same REST paths from one host per data region (amplitude-api.md §1).
export const REGION_BASE_URLS = {
  standard: 'https://amplitude.com',
  eu: 'https://analytics.eu.amplitude.com',
} as const;

export type DataRegion = keyof typeof REGION_BASE_URLS;

/** Base URL that API paths (`/api/2/export`, …) are appended to; `apiUrl` (config `api_url`) wins. */
export function resolveBaseUrl(region: DataRegion, apiUrl?: string): string {
  const base = apiUrl !== undefined && apiUrl.trim() !== '' ? apiUrl.trim() : REGION_BASE_URLS[region];
  return base.replace(/\/+$/, '');
}
