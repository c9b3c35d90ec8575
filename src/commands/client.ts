// The one Amplitude client of a run, built from the settings, with request metrics wired in.
import { AmplitudeClient } from '../amplitude/client.js';
import { resolveBaseUrl } from '../amplitude/regions.js';
import type { Config } from '../config.js';
import type { Logger } from '../singer/log.js';
import type { Metrics } from '../singer/metrics.js';

export function clientFor(config: Config, log: Logger, signal: AbortSignal, metrics?: Metrics): AmplitudeClient {
  // Masked in every log line whatever happens later.
  log.addSecret(config.api_key);
  log.addSecret(config.secret_key);
  if (config.api_key && config.secret_key) log.addSecret(Buffer.from(`${config.api_key}:${config.secret_key}`).toString('base64'));
  return new AmplitudeClient({
    baseUrl: resolveBaseUrl(config.data_region, config.api_url),
    apiKey: config.api_key ?? '',
    secretKey: config.secret_key ?? '',
    userAgent: config.user_agent,
    idleTimeoutMs: config.request_timeout_seconds * 1000,
    maxConcurrency: config.max_concurrency,
    ...(process.env.TAP_AMPLITUDE_TEST_FAST_RETRY === '1' ? { backoff: { baseMs: 5, maxMs: 50 } } : {}),
    onResponse: (e) => metrics?.httpRequest(e.endpoint, e.status, e.durationMs),
    log,
    signal,
  });
}
