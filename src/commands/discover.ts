// --discover: the catalog, from config alone (no network, no credentials), byte-identical between runs.
import type { Config } from '../config.js';
import { buildCatalog } from '../singer/catalog.js';
import { streamsFor } from '../streams/registry.js';

export function discoverCatalogText(config: Pick<Config, 'chart_ids'>): string {
  return JSON.stringify(buildCatalog(streamsFor(config)), null, 2) + '\n';
}
