import { describe, expect, it } from '@jest/globals';
import { parse } from 'papaparse';
describe('toolchain', () => {
  it('runs ESM TypeScript tests', () => {
    expect(parse('"a","b"').data).toEqual([['a', 'b']]);
  });
});
