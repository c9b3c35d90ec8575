// --test=connection: one cheap authenticated request (the events list, which every project has and which does
// not depend on optional project properties such as country) and one line: ok, or the reason.
import type { Config } from '../config.js';
import { requireSettings } from '../config.js';
import { hideUserinfo } from '../format.js';
import { resolveBaseUrl } from '../amplitude/regions.js';
import type { Logger } from '../singer/log.js';
import { clientFor } from './client.js';

export async function checkConnection(config: Config, log: Logger, signal: AbortSignal): Promise<string> {
  requireSettings(config, ['api_key', 'secret_key']);
  // A check answers within seconds: a few tries, not a sync's patience with a struggling host.
  const client = clientFor(config, log, signal, { maxTries: 3 });
  const { body } = await client.getJson('/api/2/events/list', { endpoint: 'events list', cost: 1 });
  const data = (body as { data?: unknown[] } | null)?.data;
  const count = Array.isArray(data) ? data.length : 0;
  return `ok: ${hideUserinfo(resolveBaseUrl(config.data_region, config.api_url))} accepted the credentials (${count} event types visible)`;
}
