// Reads the one-cell lines before a table (docs/chart-layouts.md, "Blocks" and "charts_metadata").
import type { Line } from './layout.js';

export interface Preamble {
  readonly title: string | null;
  readonly description: string | null;
  readonly metric: string | null;
  readonly events: string[];
  readonly filters: string[];
  /** Lines in blocks beyond the expected ones: kept as raw records. */
  readonly unrecognised: Line[];
}

const FILTERS_PREFIX = 'filters:';

/**
 * The first table's preamble is block 1 (title, description lines) then block 2 (metric, events);
 * a later table's preamble is only a block 2. `Filters:` lines may sit in any block.
 */
export function readPreamble(blocks: readonly Line[][], first: boolean): Preamble {
  const filters: string[] = [];
  const kept: Line[][] = [];
  blocks.forEach((block, b) => {
    const rest = block.filter((line, i) => {
      const isTitle = first && b === 0 && i === 0;
      if (isTitle || !line.text.toLowerCase().startsWith(FILTERS_PREFIX)) return true;
      const text = line.text.slice(FILTERS_PREFIX.length).trim();
      if (text !== '') filters.push(text);
      return false;
    });
    if (rest.length > 0) kept.push(rest);
  });

  const titleBlock = first ? kept[0] : undefined;
  const metricBlock = first ? kept[1] : kept[0];
  const [title, ...description] = (titleBlock ?? []).map((line) => line.text);
  const [metric, ...events] = (metricBlock ?? []).map((line) => line.text);
  // An empty line (a TAB alone) holds its place but has no text.
  return {
    title: title || null,
    description: nonEmpty(description)?.join('\n') ?? null,
    metric: metric || null,
    events: events.filter((e) => e !== ''),
    filters,
    unrecognised: kept.slice(first ? 2 : 1).flat().filter((line) => line.text !== ''),
  };
}

function nonEmpty(lines: string[]): string[] | null {
  const kept = lines.filter((l) => l !== '');
  return kept.length > 0 ? kept : null;
}
