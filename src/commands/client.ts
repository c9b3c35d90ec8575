// The one Amplitude client of a run, built from the settings, with request metrics wired in.
import { AmplitudeClient } from '../amplitude/client.js';
import { resolveBaseUrl } from '../amplitude/regions.js';
import type { Config } from '../config.js';
import type { Logger } from '../singer/log.js';
import type { Metrics } from '../singer/metrics.js';

export function clientFor(config: Config, log: Logger, signal: AbortSignal, opts: { metrics?: Metrics; maxTries?: number } = {}): AmplitudeClient {
  const { metrics, maxTries } = opts;
  // Masked in every log line whatever happens later.
  log.addSecret(config.api_key);
  log.addSecret(config.secret_key);
  if (config.api_key && config.secret_key) log.addSecret(Buffer.from(`${config.api_key}:${config.secret_key}`).toString('base64'));
  // A password written into api_url (a proxy's) is a credential too, however it is quoted.
  const password = config.api_url && URL.canParse(config.api_url) ? new URL(config.api_url).password : '';
  if (password) [password, decodeURIComponent(password)].forEach((p) => log.addSecret(p));
  return new AmplitudeClient({
    baseUrl: resolveBaseUrl(config.data_region, config.api_url),
    apiKey: config.api_key ?? '',
    secretKey: config.secret_key ?? '',
    userAgent: config.user_agent,
    idleTimeoutMs: config.request_timeout_seconds * 1000,
    maxConcurrency: config.max_concurrency,
    ...backoffFromEnv(process.env.TAP_AMPLITUDE_BACKOFF_MS),
    ...(maxTries ? { maxTries } : {}),
    onResponse: (e) => metrics?.httpRequest(e.endpoint, e.status, e.durationMs, e.succeeded),
    log,
    signal,
  });
}

/** TAP_AMPLITUDE_BACKOFF_MS="base,max" shortens retry waits (the test suites use it; the defaults suit Amplitude). */
function backoffFromEnv(value: string | undefined): { backoff?: { baseMs: number; maxMs: number } } {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(value ?? '');
  return m ? { backoff: { baseMs: Number(m[1]), maxMs: Number(m[2]) } } : {};
}
