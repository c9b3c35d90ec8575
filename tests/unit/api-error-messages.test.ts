import { describe, expect, it } from '@jest/globals';
import {
  AbortError,
  AmplitudeBodyError,
  AmplitudeHttpError,
  AmplitudeNetworkError,
  RetriesExhaustedError,
  oneLine,
} from '../../src/amplitude/errors.js';

// The one-line messages of the API layer's errors, as a user reads them. Every expected line is
// written out by hand from README "Troubleshooting" and docs/amplitude-api.md §2 and §4. The errors
// are built inside each test (not at module level) so that each test really runs the constructors.
const host = 'amplitude.com';
const KEY_HINT =
  'Likely causes: wrong api_key, wrong secret_key, wrong data_region (the project lives in the other region: standard = amplitude.com, eu = analytics.eu.amplitude.com), or a plan without this feature.';
const RATE_HINT =
  "Amplitude's rate limit was hit (5 concurrent requests per project, dashboard cost budget); lower max_concurrency or stop other API clients of this project.";

describe('oneLine', () => {
  it('folds every run of whitespace into one space and trims the ends', () => {
    expect(oneLine('  one \n\n two\t\t three  ')).toBe('one two three');
  });

  it('keeps a text of exactly the limit and cuts a longer one at the limit with an ellipsis', () => {
    expect(oneLine('a'.repeat(300))).toBe('a'.repeat(300));
    expect(oneLine('a'.repeat(301))).toBe(`${'a'.repeat(300)}…`);
    expect(oneLine('abcdef', 3)).toBe('abc…');
    expect(oneLine('abc', 3)).toBe('abc');
  });
});

describe('AmplitudeHttpError messages', () => {
  it('a 403 names the likely causes; one whose words reject the key stops the run', () => {
    const err = new AmplitudeHttpError({ status: 403, endpoint: 'users', host, amplitudeMessage: 'Invalid API Key' });
    expect(err.message).toBe(`users: amplitude.com answered HTTP 403: Invalid API Key. ${KEY_HINT}`);
    expect([err.credentialsRejected, err.consequence]).toEqual([true, 'run']);
  });

  it('a 401 gets the same hint as a 403 (wrong key, secret or region)', () => {
    const err = new AmplitudeHttpError({ status: 401, endpoint: 'cohorts', host });
    expect(err.message).toBe(`cohorts: amplitude.com answered HTTP 401. ${KEY_HINT}`);
  });

  it('a 429 says the rate limit was hit and what to lower', () => {
    const err = new AmplitudeHttpError({ status: 429, endpoint: 'segmentation', host, amplitudeMessage: 'Too Many Requests' });
    expect(err.message).toBe(`segmentation: amplitude.com answered HTTP 429: Too Many Requests. ${RATE_HINT}`);
    expect(err.consequence).toBe('retry');
  });

  it('a status without Amplitude words ends after the status, with no colon and no hint', () => {
    expect(new AmplitudeHttpError({ status: 503, endpoint: 'users', host }).message).toBe('users: amplitude.com answered HTTP 503.');
    expect(new AmplitudeHttpError({ status: 404, endpoint: 'users', host, amplitudeMessage: '', details: '' }).message).toBe(
      'users: amplitude.com answered HTTP 404.',
    );
  });

  it('quotes only the parts Amplitude gave: a message alone, or details alone, without a dangling dash', () => {
    expect(new AmplitudeHttpError({ status: 400, endpoint: 'users', host, amplitudeMessage: 'Bad request' }).message).toBe(
      'users: amplitude.com answered HTTP 400: Bad request.',
    );
    const detailsOnly = new AmplitudeHttpError({ status: 403, endpoint: 'users', host, amplitudeMessage: '', details: 'Invalid API Key' });
    expect(detailsOnly.message).toBe(`users: amplitude.com answered HTTP 403: Invalid API Key. ${KEY_HINT}`);
    expect(detailsOnly.consequence).toBe('run');
  });

  it('ends the quoted text with exactly one full stop, however many it had', () => {
    const err = new AmplitudeHttpError({ status: 503, endpoint: 'users', host, amplitudeMessage: 'Service Unavailable', details: 'try again later.. ' });
    expect(err.message).toBe('users: amplitude.com answered HTTP 503: Service Unavailable — try again later.');
    expect(new AmplitudeHttpError({ status: 400, endpoint: 'users', host, amplitudeMessage: 'Invalid user property country.' }).message).toBe(
      'users: amplitude.com answered HTTP 400: Invalid user property country.',
    );
  });

  it('only a 403 can be a rejected key: the same words on another status fail just the stream', () => {
    for (const status of [400, 404]) {
      const err = new AmplitudeHttpError({ status, endpoint: 'users', host, details: 'Invalid API Key' });
      expect([status, err.credentialsRejected, err.consequence]).toEqual([status, false, 'stream']);
    }
  });

  it('bounds a long answer to 1000 characters, and leaves one of exactly 1000 whole', () => {
    // "users: amplitude.com answered HTTP 400: " is 40 characters.
    const long = new AmplitudeHttpError({ status: 400, endpoint: 'users', host, amplitudeMessage: 'x'.repeat(1200) });
    expect(long.message).toBe(`users: amplitude.com answered HTTP 400: ${'x'.repeat(960)}…`);
    const exact = new AmplitudeHttpError({ status: 400, endpoint: 'users', host, amplitudeMessage: 'x'.repeat(959) });
    expect(exact.message).toBe(`users: amplitude.com answered HTTP 400: ${'x'.repeat(959)}.`);
  });
});

describe('AmplitudeNetworkError messages', () => {
  // [code, cause, the user's line, consequence]
  const cases: Array<[string | undefined, string | undefined, string, string]> = [
    ['ECONNRESET', undefined, 'users: connection to amplitude.com was reset', 'retry'],
    ['EPIPE', 'write EPIPE', 'users: connection to amplitude.com was reset (write EPIPE)', 'retry'],
    ['ECONNABORTED', undefined, 'users: connection to amplitude.com was reset', 'retry'],
    ['ERR_HTTP_CONTENT_LENGTH_MISMATCH', undefined, 'users: connection to amplitude.com closed before the response was complete', 'retry'],
    ['ERR_STREAM_PREMATURE_CLOSE', 'Premature close', 'users: connection to amplitude.com closed before the response was complete (Premature close)', 'retry'],
    ['ECONNREFUSED', undefined, 'users: connection to amplitude.com refused; check api_url and the network', 'retry'],
    [
      'ENOTFOUND',
      'getaddrinfo ENOTFOUND amplitude.com',
      'users: DNS lookup of amplitude.com failed (getaddrinfo ENOTFOUND amplitude.com); check api_url and the network',
      'retry',
    ],
    ['EAI_AGAIN', undefined, 'users: DNS lookup of amplitude.com failed; check api_url and the network', 'retry'],
    ['ENETUNREACH', undefined, 'users: amplitude.com is unreachable; check the network (proxy, firewall)', 'retry'],
    ['EHOSTUNREACH', 'connect EHOSTUNREACH', 'users: amplitude.com is unreachable (connect EHOSTUNREACH); check the network (proxy, firewall)', 'retry'],
    // got's own timeout text only repeats the threshold, so it is left out.
    [
      'ETIMEDOUT',
      'Timeout awaiting socket for 15000ms',
      'users: no data from amplitude.com for 15 s (idle timeout); raise request_timeout_seconds if Amplitude is just slow',
      'retry',
    ],
    // A code the tap does not know: a plain line, and a later attempt is not expected to do better.
    ['EPROTO', 'wrong version number', 'users: request to amplitude.com failed (wrong version number)', 'stream'],
    [undefined, undefined, 'users: request to amplitude.com failed', 'stream'],
  ];

  it.each(cases)('%s (%s)', (code, cause, line, consequence) => {
    const err = new AmplitudeNetworkError({
      endpoint: 'users',
      host,
      idleTimeoutMs: 15000,
      ...(code === undefined ? {} : { code }),
      ...(cause === undefined ? {} : { cause }),
    });
    expect([err.message, err.consequence, err.code]).toEqual([line, consequence, code]);
  });
});

describe('RetriesExhaustedError consequence', () => {
  it('a host that never answered stops the run; a last HTTP answer fails only the stream', () => {
    const network = new AmplitudeNetworkError({ endpoint: 'users', host, code: 'ECONNREFUSED', idleTimeoutMs: 1000 });
    const http = new AmplitudeHttpError({ status: 503, endpoint: 'users', host });
    const afterNetwork = new RetriesExhaustedError('users', 'GET /api/2/users', 8, network);
    const afterHttp = new RetriesExhaustedError('users', 'GET /api/2/users', 8, http);
    expect([afterNetwork.consequence, afterHttp.consequence]).toEqual(['run', 'stream']);
    expect(afterNetwork.message).toBe(
      'users: gave up on GET /api/2/users after 8 tries; last error: connection to amplitude.com refused; check api_url and the network',
    );
  });
});

describe('the other API errors', () => {
  it('an abort says the request was aborted', () => {
    expect(new AbortError().message).toBe('Amplitude request aborted');
  });

  it('a body in the wrong shape is named as such', () => {
    const err = new AmplitudeBodyError('users: the response has no data.xValues list');
    expect(String(err)).toBe('AmplitudeBodyError: users: the response has no data.xValues list');
  });
});
