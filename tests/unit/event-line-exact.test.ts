// Which lines transformEventLine copies from their source text, and how exactly (amplitude-api.md
// §5.5–5.6). The two paths are told apart by number spelling: the JSON.parse/JSON.stringify path
// writes `1.50` as `1.5`, the source-text path keeps `1.50`. Every expected text is written by hand.
import { describe, expect, it } from '@jest/globals';
import { EventLineError, transformEventLine } from '../../src/amplitude/event-line.js';

const out = (line: string, selected?: ReadonlySet<string>): string => transformEventLine(line, selected).recordJson;

describe('the source text is used only for numbers beyond 2^53 and array-index keys', () => {
  it.each([
    ['the largest safe integer', '{"a":1.50,"n":9007199254740991}', '{"a":1.5,"n":9007199254740991}'],
    ['the most negative safe integer', '{"a":1.50,"n":-9007199254740991}', '{"a":1.5,"n":-9007199254740991}'],
    ['strings, booleans, null and arrays of them', '{"a":1.50,"s":"abc","l":[1,"x",null,true,[2.50]]}', '{"a":1.5,"s":"abc","l":[1,"x",null,true,[2.5]]}'],
    ['a key of digits with a leading zero', '{"e":{"b":1,"01":2,"c":1.50}}', '{"e":{"b":1,"01":2,"c":1.5}}'],
    ['an empty key', '{"e":{"b":1,"":2,"c":1.50}}', '{"e":{"b":1,"":2,"c":1.5}}'],
    ['the key 4294967295 (2^32 - 1 is no array index)', '{"e":{"b":1,"4294967295":2,"c":1.50}}', '{"e":{"b":1,"4294967295":2,"c":1.5}}'],
  ])('not for %s', (_label, line, expected) => {
    expect(out(line)).toBe(expected);
  });

  it.each([
    ['2^53', '{"a":1.50,"n":9007199254740992}'],
    ['a negative integer beyond -2^53', '{"a":1.50,"n":-9007199254740993}'],
    ['a big integer only inside nested arrays', '{"a":1.50,"l":[1,[2,18446744073709551615]]}'],
    ['the key "0"', '{"e":{"b":1,"0":2},"a":1.50}'],
    ['the key "9"', '{"e":{"b":1,"9":2},"a":1.50}'],
    ['the key 4294967294 (the largest array index)', '{"e":{"b":1,"4294967294":2},"a":1.50}'],
  ])('for %s, which keeps the line as written', (_label, line) => {
    expect(out(line)).toBe(line);
  });
});

describe('the source-text path', () => {
  it('drops the spacing between top-level members (space, TAB, CR, LF) and keeps it inside values', () => {
    const line =
      ' \t{ "a" :\t1.50 ,\r\n"big"\n: 9007199254740993,"t":true\r,"n":5\n, "arr" : [1,[2,{"x":"]"}]] ,"o":{ "k" : "}" } ,"z":null}\t ';
    expect(out(line)).toBe('{"a":1.50,"big":9007199254740993,"t":true,"n":5,"arr":[1,[2,{"x":"]"}]],"o":{ "k" : "}" },"z":null}');
  });

  it('finds the end of strings ending in escaped backslashes and holding escaped quotes', () => {
    const line = String.raw`{"a\\":"b\\\"c\\","d":"\"","big":9007199254740993}`;
    expect(out(line)).toBe(line);
    expect(out(line, new Set(['a\\', 'big']))).toBe(String.raw`{"a\\":"b\\\"c\\","big":9007199254740993}`);
  });

  it('keeps a timestamp that needs no rewriting as written, escapes included, and rewrites an escaped one', () => {
    const line = String.raw`{"processed_time":"so\u006fn","event_time":"2026-06-16 11:57:13\u002e5","user_creation_time":null,"client_event_time":1718539033,"big":9007199254740993}`;
    expect(out(line)).toBe(
      String.raw`{"processed_time":"so\u006fn","event_time":"2026-06-16T11:57:13.5Z","user_creation_time":null,"client_event_time":1718539033,"big":9007199254740993}`,
    );
  });

  it('turns numeric fields sent as text into numbers and keeps ones sent as numbers as written', () => {
    const line = '{"sample_rate":0.50,"$schema":null,"location_lat":" 12.5 ","location_lng":"  ","s":"7","big":9007199254740993}';
    expect(out(line)).toBe('{"sample_rate":0.50,"$schema":null,"location_lat":12.5,"location_lng":null,"s":"7","big":9007199254740993}');
  });
});

describe('numeric fields sent as text, on the usual path', () => {
  it('blank or non-finite text becomes null, other numbers are parsed', () => {
    const line = '{"sample_rate":"1e400","$schema":"3","location_lat":"\\t ","location_lng":"-0.25","other":" "}';
    expect(out(line)).toBe('{"sample_rate":null,"$schema":3,"location_lat":null,"location_lng":-0.25,"other":" "}');
  });
});

describe('error messages', () => {
  it('says what is wrong with the line', () => {
    expect(() => transformEventLine('[1,2]')).toThrow(new EventLineError('event line is not a JSON object'));
    expect(() => transformEventLine('not json')).toThrow(/^event line is not valid JSON: Unexpected token 'o', "not json" is not valid JSON$/);
    let caught: unknown;
    try {
      transformEventLine('{"a":');
    } catch (err) {
      caught = err;
    }
    expect((caught as Error).name).toBe('EventLineError');
    expect(((caught as Error).cause as Error).name).toBe('SyntaxError');
  });
});
