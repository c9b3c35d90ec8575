// Settings for reading events from Amplitude's bucket export (amplitude-api.md §13.4) instead of
// the Export API. Kept apart from config.ts so the bucket path stays in its own files.
import { z } from 'zod';
import { BadInput } from './errors.js';

const secret = (description: string) =>
  z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }).describe(description).meta({ sensitive: true });

export const BUCKET_SECRETS = ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'] as const;

export const bucketSettings = {
  events_source: z
    .enum(['export_api', 's3'], { error: 'must be "export_api" (Amplitude\'s Export API) or "s3" (Amplitude\'s export to an S3 or GCS bucket)' })
    .default('export_api')
    .describe('Where the events stream reads from: "export_api" (Amplitude\'s Export API) or "s3" (the hourly files of Amplitude\'s Amazon S3 or Google Cloud Storage export; adds the merged_ids stream).'),
  s3_bucket: z
    .string({ error: 'must be a bucket name' })
    .regex(/^[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]$/, { error: 'must be a bucket name (lowercase letters, digits, dots, hyphens), without s3:// or a path' })
    .optional()
    .describe('With events_source "s3": the bucket Amplitude exports to. Required then.'),
  s3_prefix: z
    .string({ error: 'must be a string' })
    .default('')
    .describe('With events_source "s3": the folder (prefix) Amplitude writes under, as set in Amplitude; empty for the bucket root. The project folder {appId}/ and the merged-ID folder -{orgId}/ are found below it.'),
  s3_merged_ids_prefix: z
    .string({ error: 'must be a string' })
    .optional()
    .describe('With events_source "s3": the folder of the merged-ID export when it differs from s3_prefix (GCS allows a separate export per data type). Default: s3_prefix.'),
  s3_project_id: z
    .string({ error: 'must be the Amplitude project ID, digits only' })
    .regex(/^\d+$/, { error: 'must be the Amplitude project ID, digits only' })
    .optional()
    .describe('With events_source "s3": the project whose folder to read when several projects export under the same prefix. Default: the only project folder there.'),
  s3_region: z
    .string({ error: 'must be an AWS region such as us-east-1' })
    .regex(/^[a-z0-9-]+$/, { error: 'must be an AWS region such as us-east-1' })
    .optional()
    .describe('With events_source "s3": the bucket\'s region. Default: AWS_REGION or AWS_DEFAULT_REGION, else us-east-1 (a bucket elsewhere is followed to its region).'),
  s3_endpoint_url: z
    .string({ error: 'must be an http(s) URL such as https://storage.googleapis.com' })
    .refine((v) => /^https?:\/\/[^\s/]+/i.test(v) && URL.canParse(v), { error: 'must be an http(s) URL such as https://storage.googleapis.com' })
    .optional()
    .describe('With events_source "s3": an S3-compatible endpoint instead of AWS, e.g. https://storage.googleapis.com for Google Cloud Storage with HMAC keys (path-style requests).'),
  aws_access_key_id: secret('With events_source "s3": an access key ID (or a GCS HMAC access ID). Default: the AWS SDK\'s credential chain (environment, profile, SSO, instance or task role).').optional(),
  aws_secret_access_key: secret('With events_source "s3": the secret for aws_access_key_id (or the GCS HMAC secret).').optional(),
  aws_session_token: secret('With events_source "s3": a session token for temporary credentials.').optional(),
  s3_max_concurrency: z
    .number({ error: 'must be a whole number from 1 to 32' })
    .int({ error: 'must be a whole number from 1 to 32' })
    .min(1, { error: 'must be a whole number from 1 to 32' })
    .max(32, { error: 'must be a whole number from 1 to 32' })
    .default(4)
    .describe('With events_source "s3": bucket files downloaded at once (records still come out in hour order).'),
};

interface BucketParsed {
  events_source: 'export_api' | 's3';
  s3_bucket?: string | undefined;
  aws_access_key_id?: string | undefined;
  aws_secret_access_key?: string | undefined;
  aws_session_token?: string | undefined;
}

/** The combinations a single field's schema cannot check; exit 2 with one line each. */
export function checkBucketSettings(parsed: BucketParsed): void {
  const problems: string[] = [];
  if (parsed.events_source === 's3' && parsed.s3_bucket === undefined) {
    problems.push('config: s3_bucket: is required when events_source is "s3"; set it to the bucket Amplitude exports to');
  }
  if ((parsed.aws_access_key_id === undefined) !== (parsed.aws_secret_access_key === undefined)) {
    problems.push('config: aws_access_key_id and aws_secret_access_key: set both or neither (neither uses the AWS SDK credential chain)');
  }
  if (parsed.aws_session_token !== undefined && parsed.aws_access_key_id === undefined) {
    problems.push('config: aws_session_token: needs aws_access_key_id and aws_secret_access_key');
  }
  if (problems.length > 0) throw new BadInput(problems);
}
