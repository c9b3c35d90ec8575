// Out-of-process control under /__sim/ (no auth, never logged):
//   GET    /__sim/state            → {url, options, maxConcurrencySeen, lastExportableHour}
//   GET    /__sim/requests         → {"requests": [RequestLogEntry...]}
//   DELETE /__sim/requests         → clears the request log
//   POST   /__sim/faults           ← a FaultRule or an array of them; `"pathPattern": "<regex>"` instead of `path` for a RegExp
//   DELETE /__sim/faults           → removes every fault
//   PUT    /__sim/concurrency-cap  ← {"cap": n} or {"cap": null}
import type { IncomingMessage } from 'node:http';
import type { FaultRule } from './faults.js';
import { json, notFound, badRequest, type Reply } from './replies.js';
import type { Simulator } from './server.js';

export async function handleAdmin(sim: Simulator, req: IncomingMessage, path: string): Promise<Reply> {
  const route = `${req.method ?? 'GET'} ${path}`;
  switch (route) {
    case 'GET /__sim/state': {
      const { now: _clock, ...options } = sim.options;
      return json(200, { url: sim.url, options, maxConcurrencySeen: sim.maxConcurrencySeen(), lastExportableHour: sim.truth.lastExportableHour() });
    }
    case 'GET /__sim/requests':
      return json(200, { requests: sim.requests });
    case 'DELETE /__sim/requests':
      sim.requests.length = 0;
      return json(200, { ok: true });
    case 'DELETE /__sim/faults':
      sim.faults.clear();
      return json(200, { ok: true });
    case 'POST /__sim/faults': {
      const body = await readJson(req);
      const rules = (Array.isArray(body) ? body : [body]) as (FaultRule & { pathPattern?: string })[];
      try {
        for (const { pathPattern, ...rule } of rules) {
          sim.faults.add({ ...rule, path: pathPattern !== undefined ? new RegExp(pathPattern) : rule.path });
        }
      } catch (error) {
        return badRequest(error instanceof Error ? error.message : String(error));
      }
      return json(200, { ok: true, added: rules.length });
    }
    case 'PUT /__sim/concurrency-cap': {
      const body = (await readJson(req)) as { cap?: number | null };
      sim.setConcurrencyCap(body.cap ?? undefined);
      return json(200, { ok: true });
    }
    default:
      return notFound(`No simulator admin route ${route}`);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}
