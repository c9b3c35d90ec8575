// S3 failures as one line that says what is wrong and how to fix it (never a credential).
import { StreamFailure } from '../../errors.js';
import { S3_MAX_ATTEMPTS } from './client.js';

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** A file that was listed but is gone when read (NoSuchKey). */
export class VanishedError extends StreamFailure {
  override name = 'VanishedError';
}

export function isNoSuchKey(err: unknown): boolean {
  const e = err as SdkError;
  return e?.name === 'NoSuchKey' || (e?.name === 'NotFound' && e.$metadata?.httpStatusCode === 404);
}

/** A body that broke off: worth a fresh download (the SDK retries requests, not a body being read). */
export function isTransientRead(err: unknown): boolean {
  const e = err as SdkError & NodeJS.ErrnoException;
  // An answer with a status has already been through the SDK's own retries (503 SlowDown included).
  if (e?.$metadata?.httpStatusCode !== undefined) return false;
  return ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE', 'ECONNREFUSED'].includes(String(e?.code)) || e?.name === 'TimeoutError';
}

/** `what` names the request, e.g. `listing s3://bucket/prefix/`. */
export function s3Failure(err: unknown, what: string, bucket: string): Error {
  if (err instanceof StreamFailure) return err;
  const e = (err ?? {}) as SdkError & NodeJS.ErrnoException;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const say = (text: string): StreamFailure => new StreamFailure(`${what}: ${text}`, { cause: err });
  if (name === 'NoSuchBucket') return say(`the bucket "${bucket}" does not exist; check s3_bucket (and s3_endpoint_url, s3_region)`);
  if (name === 'AccessDenied' || name === 'AllAccessDisabled' || status === 403 && name !== 'InvalidAccessKeyId' && name !== 'SignatureDoesNotMatch') {
    return say(`access denied (HTTP ${status ?? 403} ${name}); the credentials need s3:ListBucket on the bucket and s3:GetObject on its objects (see README, "Reading events from the bucket export")`);
  }
  if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'ExpiredToken' || name === 'InvalidToken') {
    return say(`the store rejected the credentials (${name}); check aws_access_key_id, aws_secret_access_key and aws_session_token, or the AWS credential chain`);
  }
  if (name === 'CredentialsProviderError') {
    return say('no AWS credentials were found; set aws_access_key_id and aws_secret_access_key, or provide them through the AWS SDK chain (AWS_ACCESS_KEY_ID, a profile, an instance or task role)');
  }
  if (name === 'SlowDown' || status === 503 || status === 429) {
    return say(`the store kept throttling (HTTP ${status ?? 503} ${name}) through ${e.$metadata?.attempts ?? S3_MAX_ATTEMPTS} tries with backoff; lower s3_max_concurrency or run again later`);
  }
  if (name === 'PermanentRedirect' || status === 301) return say('the bucket is in another region; set s3_region to its region');
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT'].includes(String(e.code))) {
    return say(`cannot reach the store (${e.code}); check s3_endpoint_url and the network`);
  }
  const detail = e.message && e.message !== 'UnknownError' ? `: ${e.message}` : '';
  return say(`${status ? `HTTP ${status} ` : ''}${name}${detail}`);
}
