// Injected failures: which request gets one (FaultSet) and how a reply is written with it (writeReply).
import type { ServerResponse } from 'node:http';
import { errorReply, json, type Reply } from './replies.js';

export interface FaultRule {
  /** Matched against the URL pathname (a string must match exactly). */
  path: string | RegExp;
  /** 1-based request numbers, counted per pathname over the simulator's life; omitted = every request. */
  requests?: number[];
  /** Only requests with these query parameters (e.g. one export window: {"start": "20260616T04"}). */
  query?: Record<string, string>;
  /** 'delay': the real answer after `delayMs` (Amplitude builds an export before its first byte). */
  kind: 'status' | 'reset' | 'stall' | 'slow' | 'html' | 'body' | 'delay';
  delayMs?: number;
  /** For 'status': 429, 500, 502, 503, 504, 400, 403... */
  status?: number;
  /** Adds Retry-After to a 'status' answer. */
  retryAfterSeconds?: number;
  /** 'reset': headers + this many body bytes of the real answer, then the socket is destroyed; 'stall': same, then silence (0 = nothing at all, not even headers). */
  afterBytes?: number;
  /** 'slow': the real body, throttled to this rate. */
  bytesPerSecond?: number;
  /** 'body': answered with 200 and this value as its JSON body (a shape the endpoint does not document), or these very bytes for a Buffer (a hand-made export archive). */
  body?: unknown;
}

export class FaultSet {
  private rules: FaultRule[] = [];

  add(rule: FaultRule): void {
    if (rule.kind === 'status' && rule.status === undefined) throw new Error("a 'status' fault needs a status");
    if (rule.kind === 'slow' && !(rule.bytesPerSecond !== undefined && rule.bytesPerSecond > 0)) {
      throw new Error("a 'slow' fault needs bytesPerSecond > 0");
    }
    if (rule.kind === 'body' && rule.body === undefined) throw new Error("a 'body' fault needs a body");
    if (rule.kind === 'delay' && !(rule.delayMs !== undefined && rule.delayMs >= 0)) throw new Error("a 'delay' fault needs delayMs >= 0");
    this.rules.push(rule);
  }

  clear(): void {
    this.rules = [];
  }

  /** The first rule (in the order added) that applies to request number `n` of `path` with this query. */
  match(path: string, n: number, query: URLSearchParams = new URLSearchParams()): FaultRule | undefined {
    return this.rules.find(
      (r) =>
        (typeof r.path === 'string' ? r.path === path : r.path.test(path)) &&
        (r.requests === undefined || r.requests.includes(n)) &&
        Object.entries(r.query ?? {}).every(([k, v]) => query.get(k) === v),
    );
  }
}

const STATUS_TEXT: Record<number, [string, string, string]> = {
  400: ['invalid', 'Invalid request', 'Simulated bad request'],
  403: ['unspecified', 'Unspecified Error', 'Simulated forbidden answer'],
  429: ['too_many_requests', 'Too Many Requests', 'Exceeded rate limit: too many requests for this project'],
  500: ['internal', 'Internal Server Error', 'Simulated server error'],
  502: ['internal', 'Bad Gateway', 'Simulated bad gateway'],
  503: ['internal', 'Service Unavailable', 'Simulated unavailable service'],
  504: ['internal', 'Gateway Timeout', 'Simulated gateway timeout'],
};

/** The answer of a 'status' fault: Amplitude's envelope, plus Retry-After when asked for. */
export function statusFaultReply(rule: FaultRule): Reply {
  const status = rule.status ?? 500;
  const [type, message, details] = STATUS_TEXT[status] ?? ['unspecified', 'Unspecified Error', `Simulated status ${status}`];
  const reply = errorReply(status, type, message, details);
  if (rule.retryAfterSeconds !== undefined) reply.headers['retry-after'] = String(rule.retryAfterSeconds);
  return reply;
}

/** A proxy's or edge's HTML page answered with 200 where the API's body was expected (quirk 9). */
export function htmlFaultReply(): Reply {
  const body = Buffer.from(
    '<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head>\n<body><h1>Rate limit exceeded</h1><p>Too many requests. Please try again later.</p></body></html>\n',
  );
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'content-length': String(body.length) }, body };
}

/** The answer of a 'body' fault: 200 with the rule's JSON body, or its bytes as they are. */
export function bodyFaultReply(rule: FaultRule): Reply {
  if (!Buffer.isBuffer(rule.body)) return json(200, rule.body);
  return { status: 200, headers: { 'content-type': 'application/zip', 'content-length': String(rule.body.length) }, body: rule.body };
}

/**
 * Writes the reply, altered by a transport fault ('reset', 'stall', 'slow'; 'status', 'html' and
 * 'body' faults are replies of their own). Resolves when the simulator is done with the response (for a
 * stall: right after going silent).
 */
export async function writeReply(res: ServerResponse, reply: Reply, fault?: FaultRule, link?: Link): Promise<void> {
  const cut = fault?.kind === 'reset' || fault?.kind === 'stall' ? (fault.afterBytes ?? 0) : Infinity;
  if (fault?.kind === 'stall' && cut === 0) return; // nothing at all; the socket stays open
  res.writeHead(reply.status, reply.headers);
  const chunks = Buffer.isBuffer(reply.body) ? [reply.body] : reply.body();
  let sent = 0;
  try {
    for await (const whole of chunks) {
      if (res.destroyed) return;
      const chunk = whole.length > cut - sent ? whole.subarray(0, cut - sent) : whole;
      if (fault?.kind === 'slow') await writeSlowly(res, chunk, fault.bytesPerSecond ?? 1);
      else if (link !== undefined) await link.send(res, chunk);
      else if (chunk.length > 0 && !res.write(chunk) && !(await drained(res))) return;
      sent += chunk.length;
      if (sent >= cut) break;
    }
  } catch (error) {
    // A body that fails mid-stream can only be signalled by cutting the connection.
    res.destroy(error instanceof Error ? error : new Error(String(error)));
    return;
  }
  if (fault?.kind === 'reset') {
    res.flushHeaders();
    // Let the bytes already written leave before cutting the connection.
    const socket = res.socket;
    if (socket) socket.write('', () => socket.destroy());
    return;
  }
  if (fault?.kind === 'stall') return;
  res.end();
}

function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = (): void => finish(true);
    const onClose = (): void => finish(false);
    const finish = (ok: boolean): void => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** Slices of a twentieth of a second each, paced by timers. */
async function writeSlowly(res: ServerResponse, chunk: Buffer, bytesPerSecond: number): Promise<void> {
  const slice = Math.max(1, Math.floor(bytesPerSecond / 20));
  for (let at = 0; at < chunk.length && !res.destroyed; at += slice) {
    const piece = chunk.subarray(at, at + slice);
    if (!res.write(piece) && !(await drained(res))) return;
    await new Promise((resolve) => setTimeout(resolve, (piece.length / bytesPerSecond) * 1000));
  }
}

/**
 * A shared link of `bytesPerSecond` for every response body (the network of a bandwidth-bound
 * sync): pieces of all responses take turns, each sent once the link has carried the ones before.
 */
export class Link {
  private freeAt = 0;
  constructor(private readonly bytesPerSecond: number) {}

  async send(res: ServerResponse, chunk: Buffer): Promise<void> {
    const slice = Math.max(1, Math.floor(this.bytesPerSecond / 50));
    for (let at = 0; at < chunk.length && !res.destroyed; at += slice) {
      const piece = chunk.subarray(at, at + slice);
      const now = Date.now();
      this.freeAt = Math.max(this.freeAt, now) + (piece.length / this.bytesPerSecond) * 1000;
      await new Promise((resolve) => setTimeout(resolve, this.freeAt - now));
      if (!res.write(piece) && !(await drained(res))) return;
    }
  }
}
