// readBody's size limit and parseJson, on in-memory streams.
import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { parseJson, readBody } from '../../src/amplitude/body.js';

const chunks = () => Readable.from([Buffer.from('0123456789'), Buffer.from('abcdefghij'), Buffer.from('KLMNO')]);

describe('readBody', () => {
  it('reads the whole body without a limit', async () => {
    expect((await readBody(chunks())).toString()).toBe('0123456789abcdefghijKLMNO');
  });

  it('stops after the chunk that reaches the limit', async () => {
    expect((await readBody(chunks(), 10)).toString()).toBe('0123456789');
    expect((await readBody(chunks(), 11)).toString()).toBe('0123456789abcdefghij');
    expect((await readBody(chunks(), 1)).toString()).toBe('0123456789');
  });
});

describe('parseJson', () => {
  it('parses JSON and says when text is not JSON', () => {
    expect(parseJson('{"a": [1, null]}')).toEqual({ ok: true, value: { a: [1, null] } });
    expect(parseJson('null')).toEqual({ ok: true, value: null });
    expect(parseJson('<html>')).toEqual({ ok: false });
    expect(parseJson('')).toEqual({ ok: false });
  });
});
