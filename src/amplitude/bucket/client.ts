// The S3 client for the bucket export: the AWS SDK v3 does the signing, listing, retries with
// backoff (503 SlowDown included) and the credential chain; this file only configures it.
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../config.js';
import type { SecretKeepingLog } from '../client-options.js';

/** Tries per request, the SDK's backoff between them (throttling waits longer). */
export const S3_MAX_ATTEMPTS = 6;

export interface BucketSettings {
  bucket: string;
  prefix: string;
  mergedPrefix: string;
  projectId: string | undefined;
  concurrency: number;
}

export function bucketSettingsOf(config: Config): BucketSettings {
  return {
    bucket: config.s3_bucket as string,
    prefix: config.s3_prefix,
    mergedPrefix: config.s3_merged_ids_prefix ?? config.s3_prefix,
    projectId: config.s3_project_id,
    concurrency: config.s3_max_concurrency,
  };
}

/** Loaded on first use: syncs from the Export API never pay for loading the SDK. */
export async function createS3Client(config: Config, log: SecretKeepingLog): Promise<S3Client> {
  // The SDK prints a multi-line notice on Node 20 (the tap supports >= 20.15); the logs stay one line per event.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  for (const secret of [config.aws_access_key_id, config.aws_secret_access_key, config.aws_session_token]) log.addSecret(secret);
  const { S3Client } = await import('@aws-sdk/client-s3');
  const explicit =
    config.aws_access_key_id !== undefined && config.aws_secret_access_key !== undefined
      ? { accessKeyId: config.aws_access_key_id, secretAccessKey: config.aws_secret_access_key, ...(config.aws_session_token ? { sessionToken: config.aws_session_token } : {}) }
      : undefined;
  const client = new S3Client({
    region: config.s3_region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(config.s3_endpoint_url ? { endpoint: config.s3_endpoint_url, forcePathStyle: true } : {}),
    ...(explicit ? { credentials: explicit } : {}),
    followRegionRedirects: true,
    maxAttempts: S3_MAX_ATTEMPTS,
    // Integrity comes from gzip's own CRC; S3-compatible stores (GCS) need not know the newer checksum headers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // request_timeout_seconds is an idle timeout: the SDK's socketTimeout. Its requestTimeout is a
    // deadline for the whole answer that only logs a warning unless told to throw.
    requestHandler: { connectionTimeout: 30_000, socketTimeout: config.request_timeout_seconds * 1000 },
  });
  // Runs once per attempt (inside the SDK's retry loop, before the answer is parsed), so each throttled try gets its line.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const status = (result.response as { statusCode?: number } | undefined)?.statusCode;
      if (status === 503 || status === 429) {
        log.warn(`bucket: ${context.commandName ?? 'request'} was throttled (HTTP ${status}); the AWS SDK retries it with backoff`);
      }
      return result;
    },
    { step: 'deserialize', name: 'tapThrottleLog' },
  );
  return client;
}
