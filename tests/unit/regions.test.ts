import { describe, expect, it } from '@jest/globals';
import { resolveBaseUrl } from '../../src/amplitude/regions.js';

describe('resolveBaseUrl and the api_url setting', () => {
  it('trims the spaces around an api_url before using it', () => {
    expect(resolveBaseUrl('standard', '  http://127.0.0.1:9000/  ')).toBe('http://127.0.0.1:9000');
  });

  it('treats an api_url of spaces only as unset and uses the region host', () => {
    expect(resolveBaseUrl('eu', '   ')).toBe('https://analytics.eu.amplitude.com');
    expect(resolveBaseUrl('standard', '\t')).toBe('https://amplitude.com');
  });
});
