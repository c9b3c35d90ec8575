// What a handler answers, before it is written to the socket (so faults can alter the writing),
// and Amplitude's error envelope (amplitude-api.md §3).

export const JSON_TYPE = 'application/json; charset=UTF-8';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** A buffered body, or a factory for a streamed one (called only if the body is really sent). */
  body: Buffer | (() => AsyncIterable<Buffer>);
}

export function jsonText(status: number, text: string, contentType = JSON_TYPE): Reply {
  const body = Buffer.from(text, 'utf8');
  return { status, headers: { 'content-type': contentType, 'content-length': String(body.length) }, body };
}

export function json(status: number, value: unknown): Reply {
  return jsonText(status, JSON.stringify(value));
}

/**
 * `{"error": {"http_code", "type", "message", "metadata": {"details"}}}`, spaced like the real
 * export 404 bytes (export-404.json), the only envelope known byte for byte.
 */
function envelopeText(status: number, type: string, message: string, details: string): string {
  const s = JSON.stringify;
  return `{"error": {"http_code": ${status}, "type": ${s(type)}, "message": ${s(message)}, "metadata": {"details": ${s(details)}}}}`;
}

export function errorReply(status: number, type: string, message: string, details: string): Reply {
  return jsonText(status, envelopeText(status, type, message, details));
}

export const badRequest = (details: string): Reply => errorReply(400, 'invalid', 'Invalid request', details);
export const notFound = (details: string): Reply => errorReply(404, 'not_found', 'Not Found', details);
