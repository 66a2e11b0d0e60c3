// How Bull Board shows a job's data: what a provider sent, minus anything that looks like a secret, and
// with bulky free-form payloads cut to a preview so one large job does not stall the page. Job data holds
// no API key by contract (domain/jobs.ts), but `body` is the provider's own JSON and may carry anything.
import { fromFailedReason } from '../domain/errors';

export const PAYLOAD_PREVIEW_CHARS = 2_000;

// Matched against object keys at any depth.
const SECRET_KEY = /^pass$|passw(or)?d|secret|token|api[-_]?key|authori[sz]ation|cookie|credential|private[-_]?key/i;
// Free-form objects that can be large; everything else in the body is bounded by validation.
const BULKY_KEYS = new Set(['raw_payload', 'payload']);

export const REDACTED = '[redacted]';

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, SECRET_KEY.test(key) ? REDACTED : redact(v)]));
}

function truncateBulky(value: unknown, limit: number): unknown {
  if (Array.isArray(value)) return value.map((v) => truncateBulky(v, limit));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      if (!BULKY_KEYS.has(key) || v === null || typeof v !== 'object') return [key, truncateBulky(v, limit)];
      const json = JSON.stringify(v);
      return [key, json.length <= limit ? v : { truncated: true, chars: json.length, preview: `${json.slice(0, limit)}…` }];
    }),
  );
}

/**
 * A job keeps the request's body as the JSON text it was sent as (docs/guarantees.md): parsed here, for
 * display only, so its secrets can be redacted and its payloads cut like those of a parsed body.
 */
function withParsedBody(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || typeof (data as { body?: unknown }).body !== 'string') return data;
  try {
    return { ...data, body: JSON.parse((data as { body: string }).body) };
  } catch {
    return { ...data, body: REDACTED }; // not JSON: nothing to tell secrets apart in
  }
}

/** Job data (or a return value) as the board shows it; the job itself is untouched. */
export function boardJobData(data: unknown, previewChars = PAYLOAD_PREVIEW_CHARS): unknown {
  return truncateBulky(redact(withParsedBody(data)), previewChars);
}

interface JobSummary {
  readonly name: string;
  readonly failedReason?: string;
  readonly finishedOn?: number;
  readonly returnvalue?: unknown;
  readonly attemptsMade?: number;
  readonly opts?: { readonly attempts?: number };
}

/**
 * The name the board lists a job under. A failed job also says its error code and how many of its
 * attempts it used, so a list of failures reads at a glance (the board itself shows attempts only past 1).
 */
export function boardJobName(job: JobSummary): string {
  const failed = !!job.failedReason && !!job.finishedOn && job.returnvalue == null;
  if (!failed) return job.name;
  const code = fromFailedReason(job.failedReason)?.code;
  const attempts = `${job.attemptsMade ?? 0} of ${job.opts?.attempts ?? 1} attempts`;
  return `${job.name} · failed${code ? ` ${code}` : ''} after ${attempts}`;
}
