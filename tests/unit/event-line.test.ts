import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { EventLineError, transformEventLine } from '../../src/amplitude/event-line.js';
import { fixture } from '../helpers/paths.js';

const fixtureLines = readFileSync(fixture('export-hour.jsonl'), 'utf8').split('\n').slice(0, 3);

// The expected record text, derived from the raw line without parsing it: each top-level timestamp
// member `"<field>":"YYYY-MM-DD HH:MM:SS.ffffff"` becomes `"<field>":"YYYY-MM-DDTHH:MM:SS.ffffffZ"`.
// The fixture has no nested member with these names, so a plain text rewrite is exact.
const TIMESTAMP_MEMBER =
  /"(client_event_time|client_upload_time|event_time|processed_time|server_received_time|server_upload_time|user_creation_time)":"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)"/g;
const rewriteTimestamps = (raw: string): string => raw.replace(TIMESTAMP_MEMBER, '"$1":"$2T$3Z"');

describe('transformEventLine on the real export', () => {
  it.each([
    [0, 'dce23c5f-7e0e-47df-b6ea-632fdb1084c2', '2026-06-16T11:57:13.417000Z'],
    [1, 'f1d98900-cd4c-45dd-8953-26aa648520d6', '2026-06-16T11:56:06.007000Z'],
    [2, 'a8145426-b1af-4767-a0e0-ad22b166a73b', '2026-06-16T11:58:28.316000Z'],
  ])('event %i: timestamps rewritten, every other byte identical', (index, uuid, serverUploadTime) => {
    const line = fixtureLines[index]!;
    const result = transformEventLine(line);
    const record = JSON.parse(result.recordJson) as Record<string, unknown>;
    expect([record.uuid, record.server_upload_time]).toEqual([uuid, serverUploadTime]);
    expect(result.recordJson).toBe(rewriteTimestamps(line));
    // Six timestamps are set in every fixture event; user_creation_time is null.
    expect(result.recordJson.match(/\d\d:\d\d:\d\d\.\d{6}Z"/g)).toHaveLength(6);
    expect(result.recordJson).toContain('"user_creation_time":null');
  });

  it('gives the first event exactly these timestamp values', () => {
    const record = JSON.parse(transformEventLine(fixtureLines[0]!).recordJson) as Record<string, unknown>;
    expect(record).toMatchObject({
      client_event_time: '2026-06-16T11:57:13.345000Z',
      client_upload_time: '2026-06-16T11:57:13.411000Z',
      event_time: '2026-06-16T11:57:13.345000Z',
      processed_time: '2026-06-16T11:57:15.332000Z',
      server_received_time: '2026-06-16T11:57:13.411000Z',
      server_upload_time: '2026-06-16T11:57:13.417000Z',
      user_creation_time: null,
      source_id: '',
      session_id: -1,
    });
    expect(Object.keys(record)).toHaveLength(55);
  });

  it('keeps only the selected top-level fields, in source order', () => {
    const selected = new Set(['uuid', 'event_type', 'event_time', 'data', 'not_in_the_event']);
    const result = transformEventLine(fixtureLines[0]!, selected);
    expect(result.recordJson).toBe(
      '{"data":{"path":"/2/httpapi","user_properties_updated":true,"group_first_event":{},"group_ids":{}},' +
        '"event_time":"2026-06-16T11:57:13.345000Z","event_type":"test_event","uuid":"dce23c5f-7e0e-47df-b6ea-632fdb1084c2"}',
    );
    const withoutKeys = transformEventLine(fixtureLines[0]!, new Set(['event_type']));
    expect(withoutKeys).toEqual({ recordJson: '{"event_type":"test_event"}' });
  });

  it('treats a null selection as all fields', () => {
    expect(transformEventLine(fixtureLines[1]!, null).recordJson).toBe(rewriteTimestamps(fixtureLines[1]!));
  });
});

describe('transformEventLine exactness', () => {
  // The first fixture event with extra members spliced in before `event_time`.
  const withMembers = (members: string): string => fixtureLines[0]!.replace('"event_time":', `${members},"event_time":`);

  it('keeps integers beyond 2^53 byte for byte', () => {
    const line = withMembers(
      '"event_properties_big":{"id":9007199254740993,"neg":-12345678901234567890,"list":[18446744073709551615,1.5],"ok":1}',
    );
    const result = transformEventLine(line);
    expect(result.recordJson).toBe(rewriteTimestamps(line));
    expect(result.recordJson).toContain('"id":9007199254740993,"neg":-12345678901234567890,"list":[18446744073709551615,1.5]');
    const record = JSON.parse(result.recordJson) as Record<string, unknown>;
    expect([record.uuid, record.server_upload_time]).toEqual(['dce23c5f-7e0e-47df-b6ea-632fdb1084c2', '2026-06-16T11:57:13.417000Z']);
  });

  it('keeps a big integer at the top level and an overflowing exponent', () => {
    const line = '{"a":1e400,"event_time":"2026-06-16 11:57:13.345000","id":123456789012345678901234567890}';
    expect(transformEventLine(line).recordJson).toBe(
      '{"a":1e400,"event_time":"2026-06-16T11:57:13.345000Z","id":123456789012345678901234567890}',
    );
  });

  it('applies the selection on the exact path too', () => {
    const line = withMembers('"big":9007199254740993');
    const result = transformEventLine(line, new Set(['big', 'event_time', 'app']));
    expect(result.recordJson).toBe('{"app":829528,"big":9007199254740993,"event_time":"2026-06-16T11:57:13.345000Z"}');
  });

  it('keeps array-index keys where the source puts them', () => {
    const line = '{"event_properties":{"b":1,"7":2,"a":3},"event_time":"2026-06-16 11:57:13","10":true}';
    expect(transformEventLine(line).recordJson).toBe(
      '{"event_properties":{"b":1,"7":2,"a":3},"event_time":"2026-06-16T11:57:13Z","10":true}',
    );
  });

  it('copies strings with escapes, nested look-alike members and spacing intact on the exact path', () => {
    const line =
      '{ "k\\"ey" : "a\\\\", "event_properties" : { "event_time" : "2026-06-16 11:57:13.345000", "s" : "}{\\"]" , "n" : 12345678901234567890 } ,' +
      ' "event_time" : "2026-06-16 11:57:13.345000" , "\\u0075uid" : "\\u00e9" }';
    const result = transformEventLine(line);
    expect(result.recordJson).toBe(
      '{"k\\"ey":"a\\\\","event_properties":{ "event_time" : "2026-06-16 11:57:13.345000", "s" : "}{\\"]" , "n" : 12345678901234567890 },' +
        '"event_time":"2026-06-16T11:57:13.345000Z","\\u0075uid":"\\u00e9"}',
    );
    expect((JSON.parse(result.recordJson) as Record<string, unknown>).uuid).toBe('é');
  });

  it('does not rewrite timestamp-named members inside property bags', () => {
    const line = withMembers('"extra":{"event_time":"2026-06-16 11:57:13.345000"}');
    expect(transformEventLine(line).recordJson).toContain('"extra":{"event_time":"2026-06-16 11:57:13.345000"}');
  });

  it('passes new top-level keys through', () => {
    const line = fixtureLines[2]!.replace(/}$/, ',"zz_new_field":{"x":[1,"two"]}}');
    expect(transformEventLine(line).recordJson).toBe(rewriteTimestamps(line));
    expect(transformEventLine(line).recordJson.endsWith(',"zz_new_field":{"x":[1,"two"]}}')).toBe(true);
  });

  it('keeps a member named "__proto__" as data when selecting', () => {
    const line = '{"__proto__":{"x":1},"uuid":"u","other":2}';
    expect(transformEventLine(line, new Set(['__proto__', 'uuid'])).recordJson).toBe('{"__proto__":{"x":1},"uuid":"u"}');
  });
});

describe('transformEventLine timestamp values', () => {
  it.each([
    ['', ''],
    [' on the exact path', ',"big":12345678901234567890'],
  ])('turns "" into null, keeps null, and leaves an unrecognised string as it is%s', (_label, extra) => {
    const line =
      '{"client_event_time":"","event_time":null,"processed_time":"soon","server_upload_time":"2026-06-16T11:57:13.417000Z","source_id":""' +
      `${extra}}`;
    const result = transformEventLine(line);
    expect(result.recordJson).toBe(
      '{"client_event_time":null,"event_time":null,"processed_time":"soon","server_upload_time":"2026-06-16T11:57:13.417000Z","source_id":""' +
        `${extra}}`,
    );
  });
});

describe('transformEventLine errors', () => {
  it.each([
    ['not JSON', 'not json'],
    ['a truncated line', fixtureLines[0]!.slice(0, 200)],
    ['an empty line', ''],
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a string', '"x"'],
  ])('rejects %s with EventLineError', (_label, line) => {
    expect(() => transformEventLine(line)).toThrow(EventLineError);
  });
});

describe('transformEventLine: numeric fields sent as text', () => {
  it('writes sample_rate and $schema as numbers, text that is no number as null, on both paths', () => {
    const line = '{"uuid":"u","$schema":"2","sample_rate":"0.5","location_lat":"","event_properties":{"sample_rate":"keep"}}';
    expect(transformEventLine(line).recordJson).toBe('{"uuid":"u","$schema":2,"sample_rate":0.5,"location_lat":null,"event_properties":{"sample_rate":"keep"}}');
    // An integer beyond 2^53 sends the line through the source-text path.
    const big = '{"uuid":"u","sample_rate":"x","event_properties":{"n":9007199254740993}}';
    expect(transformEventLine(big).recordJson).toBe('{"uuid":"u","sample_rate":null,"event_properties":{"n":9007199254740993}}');
  });
});
