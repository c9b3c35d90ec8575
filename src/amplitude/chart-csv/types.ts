// The records the chart CSV parser produces (docs/chart-layouts.md, "Rows of a chart stream"
// and "charts_metadata"). `chart_id` is added by the stream, which knows the chart.
import type { ChartInterval } from './interval.js';

export interface ChartCell {
  table_index: number;
  dimension_name: string;
  dimension_value: string;
  segment: string;
  value: number | null;
  raw_value: string | null;
  metric: string | null;
}

export interface ChartMetadata {
  title: string | null;
  description: string | null;
  metric: string | null;
  event: string | null;
  dimension: string | null;
  filters: string | null;
  interval: ChartInterval | null;
  table_count: number;
  row_count: number;
  column_count: number;
}

export interface ParsedChart {
  metadata: ChartMetadata;
  cells: ChartCell[];
  warnings: string[];
}
