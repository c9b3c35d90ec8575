// Amplitude's error envelope (amplitude-api.md §3): {"error": {"http_code", "type", "message",
// "metadata": {"details"}}}. The one reader of it, for thrown errors and for statuses a stream handles.
import { z } from 'zod';

export interface Rejection {
  message?: string;
  details?: string;
}

const envelope = z.object({
  error: z.object({
    message: z.string().optional(),
    metadata: z.object({ details: z.string().optional() }).nullish(),
  }),
});

/** Amplitude's own words from an error body; empty when the body is not the envelope. */
export function readRejection(body: unknown): Rejection {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) return {};
  const { message, metadata } = parsed.data.error;
  return { ...(message ? { message } : {}), ...(metadata?.details ? { details: metadata.details } : {}) };
}

/** "message — details" on one line, or a stand-in when Amplitude said nothing. */
export function describeRejection(r: Rejection, none = 'no reason given'): string {
  const text = [r.message, r.details].filter((t): t is string => t !== undefined && t !== '').join(' — ');
  return text === '' ? none : text.replace(/\s+/g, ' ').trim();
}

/** The 400 a group-by on a property the project does not have produces ("Invalid user property country"). */
export function rejectsUserProperty(r: Rejection, property: string): boolean {
  const pattern = new RegExp(`invalid user property ${property}\\b`, 'i');
  return pattern.test(`${r.message ?? ''} ${r.details ?? ''}`);
}
