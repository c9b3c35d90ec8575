// Brings a record's values to the one type its schema declares for each property. Amplitude sends
// some fields with mixed types (events_list.timeline_hidden as 0/1 or a boolean, cohort ids as a
// number or a string); a SQL target gives each property one column, and a value of another type
// would fail the load. Conversions keep every value (README: "Loading into a warehouse").
import type { JsonSchema } from '../singer/messages.js';

type Json = Record<string, unknown>;

/** The one non-null JSON type a property declares, or undefined for an untyped or multi-typed one. */
export function declaredType(schema: JsonSchema | undefined): string | undefined {
  const t = schema?.type;
  const types = (Array.isArray(t) ? t : t === undefined ? [] : [t]).filter((x) => x !== 'null');
  return types.length === 1 ? types[0] : undefined;
}

const NO_VALUE = Symbol('no value');

/** `value` as `type`, or NO_VALUE when it cannot be converted without losing it. */
function convert(value: unknown, type: string): unknown {
  switch (type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      if (value === 'true' || value === 'false') return value === 'true';
      return NO_VALUE;
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return NO_VALUE;
    case 'number':
    case 'integer': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return NO_VALUE;
      return type === 'integer' && !Number.isSafeInteger(n) ? NO_VALUE : n;
    }
    case 'object':
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
      // A list where a map is declared: keyed by position, so no entry is lost.
      if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]));
      return NO_VALUE;
    case 'array':
      if (Array.isArray(value)) return value;
      // A single value where a list is declared: a list of one.
      return [value];
    default:
      return value;
  }
}

/**
 * The record with each declared property converted to its declared type; a value that cannot be
 * converted becomes null and is reported through `warn` (never silent). Undeclared keys pass as sent.
 */
export function conformRecord<T extends Json>(record: T, schema: JsonSchema, describe: string, warn: (line: string) => void): T {
  const props = schema.properties ?? {};
  let out: Json | null = null;
  for (const [key, prop] of Object.entries(props)) {
    const value = record[key];
    const type = declaredType(prop);
    if (value === null || value === undefined || type === undefined) continue;
    const converted = convert(value, type);
    if (converted === value) continue;
    out ??= { ...record };
    if (converted === NO_VALUE) {
      warn(`${describe}: ${key} is ${JSON.stringify(value)}, not a${type === 'integer' || type === 'object' || type === 'array' ? 'n' : ''} ${type}; emitted as null`);
      out[key] = null;
    } else {
      out[key] = converted;
    }
  }
  return (out ?? record) as T;
}
