// How S3 failures read: each AWS SDK error the bucket export can meet as one line saying what is
// wrong and what to change, and which failures are a missing file or a body worth downloading again.
import { describe, expect, it } from '@jest/globals';
import { NoSuchBucket, NoSuchKey, NotFound, S3ServiceException } from '@aws-sdk/client-s3';
import { isNoSuchKey, isTransientRead, s3Failure } from '../../src/amplitude/bucket/errors.js';
import { StreamFailure } from '../../src/errors.js';

const WHAT = 'listing s3://exports/amplitude/';
const sdk = (name: string, status?: number, extra: { attempts?: number; message?: string } = {}): S3ServiceException =>
  new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { ...(status !== undefined ? { httpStatusCode: status } : {}), ...(extra.attempts !== undefined ? { attempts: extra.attempts } : {}) },
    message: extra.message ?? `${name} happened`,
  });
const netError = (code: string, message = `connect ${code} 127.0.0.1:9`): NodeJS.ErrnoException => Object.assign(new Error(message), { code });
const meta = { $metadata: {} };

const DENIED = 'the credentials need s3:ListBucket on the bucket and s3:GetObject on its objects (see README, "Reading events from the bucket export")';
const CREDENTIALS = 'check aws_access_key_id, aws_secret_access_key and aws_session_token, or the AWS credential chain';

describe('s3Failure', () => {
  it.each<[string, unknown, string]>([
    ['a missing bucket', new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } }), 'the bucket "exports" does not exist; check s3_bucket (and s3_endpoint_url, s3_region)'],
    ['AccessDenied', sdk('AccessDenied', 403), `access denied (HTTP 403 AccessDenied); ${DENIED}`],
    ['AccessDenied without a status', sdk('AccessDenied'), `access denied (HTTP 403 AccessDenied); ${DENIED}`],
    ['AllAccessDisabled without a status', sdk('AllAccessDisabled'), `access denied (HTTP 403 AllAccessDisabled); ${DENIED}`],
    ['any other 403', sdk('Forbidden', 403), `access denied (HTTP 403 Forbidden); ${DENIED}`],
    ['an unknown key id (403)', sdk('InvalidAccessKeyId', 403), `the store rejected the credentials (InvalidAccessKeyId); ${CREDENTIALS}`],
    ['a wrong secret (403)', sdk('SignatureDoesNotMatch', 403), `the store rejected the credentials (SignatureDoesNotMatch); ${CREDENTIALS}`],
    ['an expired session token', sdk('ExpiredToken', 400), `the store rejected the credentials (ExpiredToken); ${CREDENTIALS}`],
    ['an invalid session token', sdk('InvalidToken', 400), `the store rejected the credentials (InvalidToken); ${CREDENTIALS}`],
    [
      'no credentials at all',
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      'no AWS credentials were found; set aws_access_key_id and aws_secret_access_key, or provide them through the AWS SDK chain (AWS_ACCESS_KEY_ID, a profile, an instance or task role)',
    ],
    ['SlowDown after the SDK tries', sdk('SlowDown', 503, { attempts: 4 }), 'the store kept throttling (HTTP 503 SlowDown) through 4 tries with backoff; lower s3_max_concurrency or run again later'],
    ['SlowDown without metadata', Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown' }), 'the store kept throttling (HTTP 503 SlowDown) through 6 tries with backoff; lower s3_max_concurrency or run again later'],
    ['a bare 503', sdk('ServiceUnavailable', 503), 'the store kept throttling (HTTP 503 ServiceUnavailable) through 6 tries with backoff; lower s3_max_concurrency or run again later'],
    ['a 429', sdk('TooManyRequests', 429, { attempts: 6 }), 'the store kept throttling (HTTP 429 TooManyRequests) through 6 tries with backoff; lower s3_max_concurrency or run again later'],
    ['PermanentRedirect', sdk('PermanentRedirect'), 'the bucket is in another region; set s3_region to its region'],
    ['a 301', sdk('MovedPermanently', 301), 'the bucket is in another region; set s3_region to its region'],
    ['a refused connection', netError('ECONNREFUSED'), 'cannot reach the store (ECONNREFUSED); check s3_endpoint_url and the network'],
    ['an unknown host', netError('ENOTFOUND'), 'cannot reach the store (ENOTFOUND); check s3_endpoint_url and the network'],
    ['a failed name lookup', netError('EAI_AGAIN'), 'cannot reach the store (EAI_AGAIN); check s3_endpoint_url and the network'],
    ['a reset connection', netError('ECONNRESET'), 'cannot reach the store (ECONNRESET); check s3_endpoint_url and the network'],
    ['a timed out connection', netError('ETIMEDOUT'), 'cannot reach the store (ETIMEDOUT); check s3_endpoint_url and the network'],
    ['another HTTP error', sdk('InternalError', 500, { message: 'We encountered an internal error.' }), 'HTTP 500 InternalError: We encountered an internal error.'],
    ['an error the SDK could not name', sdk('UnknownError', 502, { message: 'UnknownError' }), 'HTTP 502 UnknownError'],
    ['an error without a status', Object.assign(new Error('socket hang up'), { code: 'EPROTO' }), 'Error: socket hang up'],
    ['an error without a message', Object.assign(new Error(''), { name: 'Weird' }), 'Weird'],
    ['nothing at all', undefined, 'Error'],
  ])('%s', (_what, err, text) => {
    const failure = s3Failure(err, WHAT, 'exports');
    expect(failure).toBeInstanceOf(StreamFailure);
    expect(failure.message).toBe(`${WHAT}: ${text}`);
    expect(failure.cause).toBe(err);
  });

  it('hands a StreamFailure on unchanged', () => {
    const failure = new StreamFailure('s3://exports/a: already said');
    expect(s3Failure(failure, WHAT, 'exports')).toBe(failure);
  });
});

describe('isNoSuchKey', () => {
  it('is a file gone from the bucket: NoSuchKey, or a 404 NotFound (an answer without a body)', () => {
    expect(isNoSuchKey(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }))).toBe(true);
    expect(isNoSuchKey(new NotFound({ message: 'NotFound', $metadata: { httpStatusCode: 404 } }))).toBe(true);
    expect(isNoSuchKey(new NotFound({ message: 'NotFound', $metadata: {} }))).toBe(false);
    expect(isNoSuchKey(Object.assign(new Error('not found'), { name: 'NotFound' }))).toBe(false);
    expect(isNoSuchKey(sdk('NotFound', 400))).toBe(false);
    expect(isNoSuchKey(sdk('NoSuchBucket', 404))).toBe(false);
    expect(isNoSuchKey(undefined)).toBe(false);
    expect(isNoSuchKey(null)).toBe(false);
  });
});

describe('isTransientRead', () => {
  it('is a body that broke off without an HTTP answer: worth downloading again', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE', 'ECONNREFUSED']) expect(isTransientRead(netError(code))).toBe(true);
    expect(isTransientRead(Object.assign(new Error('Connection timed out after 30000 ms'), { name: 'TimeoutError' }))).toBe(true);
    expect(isTransientRead(Object.assign(new Error('x'), { name: 'TimeoutError', ...meta }))).toBe(true);
  });

  it('is not an answer with a status (the SDK has retried it already), nor any other failure', () => {
    expect(isTransientRead(Object.assign(netError('ECONNRESET'), { $metadata: { httpStatusCode: 503 } }))).toBe(false);
    expect(isTransientRead(sdk('TimeoutError', 500))).toBe(false);
    expect(isTransientRead(netError('ENOTFOUND'))).toBe(false);
    expect(isTransientRead(new Error('no code'))).toBe(false);
    expect(isTransientRead(undefined)).toBe(false);
    expect(isTransientRead(null)).toBe(false);
  });
});
