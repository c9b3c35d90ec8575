// The taxonomy streams and annotation_categories end to end: the built CLI against the simulator,
// records compared with the simulator's taxonomy model mapped here by hand. Without the Taxonomy
// API (404), each taxonomy stream ends with one WARNING and the run still exits 0; any other
// error fails only its stream.
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseMessages, recordsOf, runCli, tempDir, writeJson, type SingerMessage } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';
import { schemaErrors } from '../helpers/schema-validator.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../simulator/server.js';
import { requireBuild, stderrLines } from './support/e2e.js';

const TAXONOMY = ['event_types', 'event_categories', 'event_properties', 'user_properties', 'group_properties'];
type Row = Record<string, unknown>;

const sims: Simulator[] = [];
afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()));
});

async function simulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await createSimulator(opts);
  sims.push(sim);
  return sim;
}

interface Run {
  code: number | null;
  stderr: string;
  messages: SingerMessage[];
  records: (stream: string) => Row[];
}

async function runTap(sim: Simulator, streams: string[]): Promise<Run> {
  requireBuild();
  const dir = tempDir();
  const catalog = { streams: streams.map((s) => ({ tap_stream_id: s, metadata: [{ breadcrumb: [], metadata: { selected: true } }] })) };
  const config = { api_key: sim.options.apiKey, secret_key: sim.options.secretKey, api_url: sim.url, start_date: '2026-01-01' };
  const result = await runCli(['--config', writeJson(dir, 'config.json', config), '--catalog', writeJson(dir, 'catalog.json', catalog)], { timeoutMs: 30_000 });
  const messages = parseMessages(result.stdout);
  const records = (stream: string): Row[] => {
    const rows = recordsOf(messages, stream);
    for (const row of rows) expect(schemaErrors(stream, row)).toEqual([]);
    return rows;
  };
  return { code: result.code, stderr: result.stderr, messages, records };
}

/** Every field of the stream's catalog schema, taken from `item` (absent = null): the record a target gets. */
function asRecord(stream: string, item: Row): Row {
  const schema = JSON.parse(readFileSync(path.join(repoRoot, 'catalogs', `${stream}.json`), 'utf8')) as { properties: Row };
  return Object.fromEntries(Object.keys(schema.properties).map((k) => [k, item[k] === undefined ? null : item[k]]));
}

describe('a project with the Taxonomy API', () => {
  it('delivers every category, event type (deleted ones flagged), property of every event type, shared property, user and group property', async () => {
    const sim = await simulator();
    const run = await runTap(sim, ['annotation_categories', ...TAXONOMY]);
    expect({ code: run.code, warnings: stderrLines(run).filter((l) => l.startsWith('WARNING')) }).toEqual({ code: 0, warnings: [] });
    const t = sim.truth.taxonomy();

    expect(run.records('annotation_categories')).toEqual([
      { id: 1, name: 'Uncategorized' },
      { id: 1250, name: 'Releases' },
      { id: 45678, name: 'Marketing' },
      { id: 1251, name: 'Outages, "incidents" & fixes' },
      { id: 1252, name: 'Unused' },
    ]);
    expect(run.records('event_categories')).toEqual(t.categories);

    const category = (c: unknown): unknown => (c === null ? null : (c as { name: string }).name);
    expect(run.records('event_types')).toEqual(t.eventTypes.map((e) => asRecord('event_types', { ...e, category: category(e.category) })));
    expect(run.records('event_types').filter((e) => e.deleted === true).map((e) => e.event_type)).toEqual(['Legacy Checkout']);

    // One request per event type (names with quotes and commas included), then the shared set:
    // its items without an event type get "$shared"; the one naming its event type repeats a pair
    // already delivered and is not written twice.
    const perEvent = t.eventTypes.flatMap((e) => t.eventProperties.get(String(e.event_type)) ?? []);
    const shared = t.sharedEventProperties.filter((p) => p.event_type === null).map((p) => ({ ...p, event_type: '$shared' }));
    expect(t.sharedEventProperties.length).toBe(shared.length + 1);
    expect(run.records('event_properties')).toEqual([...perEvent, ...shared].map((p) => asRecord('event_properties', p)));
    const asked = sim.requests.filter((r) => r.path === '/api/2/taxonomy/event-property').map((r) => r.query.event_type ?? null);
    expect(asked.sort()).toEqual([...t.eventTypes.map((e) => String(e.event_type)), null].sort());

    expect(run.records('user_properties')).toEqual(t.userProperties.map((p) => asRecord('user_properties', p)));
    expect(t.groupTypes.length).toBe(2);
    const perGroup = t.groupTypes.flatMap((g) => t.groupProperties.get(g) ?? []);
    expect(run.records('group_properties')).toEqual([...perGroup, ...t.sharedGroupProperties].map((p) => asRecord('group_properties', p)));
    // Each read whole: its table version is activated (on a first sync also before its first record).
    expect(run.messages.filter((m) => m.type === 'ACTIVATE_VERSION').map((m) => m.stream)).toEqual(['annotation_categories', ...TAXONOMY].flatMap((s) => [s, s]));
  }, 60_000);

  it('a project without group types: group_properties has no records and no warning', async () => {
    const sim = await simulator({ groupTypes: false });
    const run = await runTap(sim, ['group_properties']);
    expect({ code: run.code, records: run.records('group_properties'), stderr: stderrLines(run).filter((l) => !l.startsWith('INFO')) }).toEqual({
      code: 0,
      records: [],
      stderr: [],
    });
  }, 60_000);

  it('any other error fails only that stream (exit 1); the other taxonomy streams still deliver', async () => {
    const sim = await simulator();
    sim.faults.add({ path: '/api/2/taxonomy/user-property', kind: 'status', status: 400 });
    const run = await runTap(sim, TAXONOMY);
    expect(run.code).toBe(1);
    expect(stderrLines(run).filter((l) => l.startsWith('ERROR'))).toEqual([expect.stringMatching(/^ERROR stream user_properties failed: taxonomy user-property: .*HTTP 400/)]);
    expect(run.records('user_properties')).toEqual([]);
    expect(run.records('event_categories')).toEqual(sim.truth.taxonomy().categories);
  }, 60_000);
});

describe('a project whose plan lacks the Taxonomy API (404)', () => {
  it('ends each taxonomy stream with one WARNING, writes no taxonomy record and exits 0', async () => {
    const sim = await simulator({ taxonomy: false });
    const run = await runTap(sim, ['annotation_categories', ...TAXONOMY]);
    expect(run.code).toBe(0);
    const warnings = stderrLines(run).filter((l) => l.startsWith('WARNING'));
    expect(warnings).toEqual(
      TAXONOMY.map((s) => `WARNING stream ${s}: skipped, Amplitude answered 404 for the Taxonomy API: the project's plan does not include it (Enterprise only); deselect ${s} to silence this warning`),
    );
    for (const s of TAXONOMY) expect(run.records(s)).toEqual([]);
    // An empty answer of a plan without the API must not replace a table loaded before.
    expect(run.messages.filter((m) => m.type === 'ACTIVATE_VERSION').map((m) => m.stream)).toEqual(['annotation_categories', 'annotation_categories']);
    // Nothing is retried or fanned out after the 404.
    expect(sim.requests.filter((r) => r.path.startsWith('/api/2/taxonomy/')).length).toBe(TAXONOMY.length);
    expect(run.records('annotation_categories').length).toBe(5);
    expect(stderrLines(run).filter((l) => l.startsWith('ERROR'))).toEqual([]);
  }, 60_000);
});
