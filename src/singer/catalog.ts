// Catalog: what discovery prints, and how an input catalog (Singer, Meltano or legacy) selects
// streams, fields, replication settings and keys. Knows nothing of Amplitude.
import { isObject } from '../json.js';
import type { JsonSchema } from './messages.js';

export type ReplicationMethod = 'INCREMENTAL' | 'FULL_TABLE';

/** What the protocol layer needs to know about a stream to describe and select it. */
export interface StreamDescriptor {
  name: string;
  schema: JsonSchema;
  keyProperties: string[];
  replicationMethod: ReplicationMethod;
  replicationKey?: string;
}

export interface MetadataEntry {
  breadcrumb: string[];
  metadata: Record<string, unknown>;
}

export interface CatalogEntry {
  tap_stream_id: string;
  stream: string;
  key_properties: string[];
  replication_method: ReplicationMethod;
  replication_key?: string;
  schema: JsonSchema;
  metadata: MetadataEntry[];
}

export interface Catalog {
  streams: CatalogEntry[];
}

export function catalogEntry(s: StreamDescriptor): CatalogEntry {
  // An absent replication key adds `undefined`, which no property name matches.
  const automatic = new Set([...s.keyProperties, s.replicationKey]);
  const streamMeta: Record<string, unknown> = {
    inclusion: 'available',
    'selected-by-default': true,
    'table-key-properties': s.keyProperties,
    'forced-replication-method': s.replicationMethod,
  };
  if (s.replicationKey) streamMeta['valid-replication-keys'] = [s.replicationKey];
  const metadata: MetadataEntry[] = [{ breadcrumb: [], metadata: streamMeta }];
  // One entry per top-level property, `$insert_id` included: Meltano's select rules cannot reach
  // a property that has no entry.
  for (const prop of Object.keys(s.schema.properties ?? {})) {
    metadata.push({
      breadcrumb: ['properties', prop],
      metadata: automatic.has(prop)
        ? { inclusion: 'automatic', 'selected-by-default': true }
        : { inclusion: 'available', 'selected-by-default': true },
    });
  }
  const entry: CatalogEntry = {
    tap_stream_id: s.name,
    stream: s.name,
    key_properties: s.keyProperties,
    replication_method: s.replicationMethod,
    schema: s.schema,
    metadata,
  };
  if (s.replicationKey) entry.replication_key = s.replicationKey;
  return entry;
}

export function buildCatalog(streams: StreamDescriptor[]): Catalog {
  return { streams: streams.map(catalogEntry) };
}

/** A stream as the sync will run it, after applying the input catalog. */
export interface SelectedStream {
  name: string;
  fields: string[]; // selected top-level properties, in schema order
  keyProperties: string[];
  replicationMethod: ReplicationMethod;
  replicationKey?: string;
}

export interface SelectionResult {
  streams: SelectedStream[];
  warnings: string[];
}

/** Every stream, every field, defaults: what a sync without --catalog does. */
export function selectAll(streams: StreamDescriptor[]): SelectedStream[] {
  return streams.map((s) => ({
    name: s.name,
    fields: Object.keys(s.schema.properties ?? {}),
    keyProperties: s.keyProperties,
    replicationMethod: s.replicationMethod,
    ...(s.replicationKey ? { replicationKey: s.replicationKey } : {}),
  }));
}

type Problems = string[];

/** `true`/`false` and the strings "true"/"false" (older tools wrote strings); anything else is unset. */
function flag(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}

function metadataMap(raw: unknown, where: string, problems: Problems): Map<string, Record<string, unknown>> {
  const map = new Map<string, Record<string, unknown>>();
  if (raw === undefined) return map;
  if (!Array.isArray(raw)) {
    problems.push(`${where}: "metadata" must be an array of {breadcrumb, metadata} entries`);
    return map;
  }
  raw.forEach((m, i) => {
    if (!isObject(m) || !Array.isArray(m.breadcrumb) || !m.breadcrumb.every((b) => typeof b === 'string') || !isObject(m.metadata)) {
      problems.push(`${where}: metadata[${i}] must be {"breadcrumb": [strings], "metadata": {...}}`);
      return;
    }
    const key = (m.breadcrumb as string[]).join('\u0000');
    map.set(key, { ...(map.get(key) ?? {}), ...m.metadata });
  });
  return map;
}

/**
 * Applies an input catalog to the tap's streams. Unknown selected streams and malformed entries
 * are problems (exit 2), except `isRemovable(name)` streams (e.g. a chart no longer configured),
 * which are skipped with a warning.
 */
export function selectFromCatalog(
  input: unknown,
  streams: StreamDescriptor[],
  isRemovable: (name: string) => boolean = () => false,
): SelectionResult & { problems: string[] } {
  const problems: Problems = [];
  const warnings: string[] = [];
  const selected: SelectedStream[] = [];
  if (!isObject(input) || !Array.isArray(input.streams)) {
    return { streams: [], warnings, problems: ['catalog: the root must be an object with a "streams" array (the output of --discover)'] };
  }
  const byName = new Map(streams.map((s) => [s.name, s]));
  const seen = new Set<string>();
  const picked = new Map<string, SelectedStream>();

  input.streams.forEach((raw: unknown, i: number) => {
    const where = `catalog: streams[${i}]`;
    if (!isObject(raw)) {
      problems.push(`${where} must be an object`);
      return;
    }
    const name = typeof raw.tap_stream_id === 'string' ? raw.tap_stream_id : typeof raw.stream === 'string' ? raw.stream : undefined;
    if (!name) {
      problems.push(`${where} has no "tap_stream_id" or "stream" name`);
      return;
    }
    if (seen.has(name)) {
      problems.push(`catalog: stream "${name}" appears twice`);
      return;
    }
    seen.add(name);
    const md = metadataMap(raw.metadata, `catalog: stream "${name}"`, problems);
    const streamMd = md.get('') ?? {};
    const schema = isObject(raw.schema) ? raw.schema : {};
    const isSelected = flag(streamMd.selected) ?? flag(schema.selected) ?? flag(raw.selected) ?? flag(streamMd['selected-by-default']) ?? false;
    if (!isSelected) return;

    const def = byName.get(name);
    if (!def) {
      if (isRemovable(name)) warnings.push(`catalog selects stream "${name}", which the config no longer defines; skipping it`);
      else problems.push(`catalog: stream "${name}" is not a stream of this tap; run --discover again and select from its output`);
      return;
    }

    const props = Object.keys(def.schema.properties ?? {});
    const fixed = new Set([...def.keyProperties, def.replicationKey]); // keys and the replication key (if any)
    const propSchemas = isObject(schema.properties) ? schema.properties : {};
    const fields = props.filter((p) => {
      const fmd = md.get(`properties\u0000${p}`) ?? {};
      const inclusion = fmd.inclusion;
      if (fixed.has(p) || inclusion === 'automatic') return true; // keys cannot be deselected
      if (inclusion === 'unsupported') return false;
      const legacy = isObject(propSchemas[p]) ? flag((propSchemas[p] as Record<string, unknown>).selected) : undefined;
      return flag(fmd.selected) ?? legacy ?? flag(fmd['selected-by-default']) ?? true;
    });

    let replicationMethod = def.replicationMethod;
    const rm = streamMd['replication-method'] ?? raw.replication_method;
    if (rm !== undefined) {
      if (rm === 'FULL_TABLE' || (rm === 'INCREMENTAL' && def.replicationMethod === 'INCREMENTAL')) replicationMethod = rm;
      else warnings.push(`stream "${name}": replication-method ${JSON.stringify(rm)} is not supported; using ${def.replicationMethod}`);
    }
    let replicationKey = replicationMethod === 'INCREMENTAL' ? def.replicationKey : undefined;
    const rk = streamMd['replication-key'] ?? raw.replication_key;
    if (rk !== undefined && replicationMethod === 'INCREMENTAL' && rk !== def.replicationKey) {
      warnings.push(`stream "${name}": replication-key ${JSON.stringify(rk)} is not supported; using ${def.replicationKey}`);
    }

    let keyProperties = def.keyProperties;
    const kp = streamMd['table-key-properties'];
    if (kp !== undefined) {
      if (Array.isArray(kp) && kp.length > 0 && kp.every((k) => typeof k === 'string' && props.includes(k))) {
        keyProperties = kp as string[];
        for (const k of keyProperties) if (!fields.includes(k)) fields.push(k);
      } else {
        problems.push(`catalog: stream "${name}": table-key-properties must be a non-empty list of the stream's properties`);
      }
    }
    const orderedFields = props.filter((p) => fields.includes(p));
    picked.set(name, { name, fields: orderedFields, keyProperties, replicationMethod, ...(replicationKey ? { replicationKey } : {}) });
  });

  // Sync in the tap's own stream order, whatever order the catalog lists them in.
  for (const s of streams) {
    const p = picked.get(s.name);
    if (p) selected.push(p);
  }
  return { streams: selected, warnings, problems };
}
