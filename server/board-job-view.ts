// How Bull Board shows a job: what a provider sent, minus anything that looks like a secret
// (board-redaction.ts), and with bulky free-form payloads cut to a preview so one large job does not
// stall the page. Job data holds no API key by contract (domain/jobs.ts), but `body` is the provider's
// own JSON and may carry anything; failure reasons and stack traces can quote it.
import { fromFailedReason } from '../domain/errors';
import { JOB_NAMES } from '../domain/jobs';
import { redactText, redactValue } from './board-redaction';

export { REDACTED } from './board-redaction';

export const PAYLOAD_PREVIEW_CHARS = 2_000;

// Free-form objects that can be large; everything else in the body is bounded by validation.
const BULKY_KEYS = new Set(['raw_payload', 'payload']);

function preview(text: string, chars: number, limit: number) {
  return { truncated: true, chars, preview: `${text.slice(0, limit)}…` };
}

/**
 * The beginning of a value, about `budget` characters of its JSON: enough for a preview of that length,
 * so the redaction that runs on it does not scan the megabyte behind it.
 */
function head(value: unknown, budget: { left: number }): unknown {
  if (typeof value === 'string') {
    const cut = value.slice(0, Math.max(budget.left, 0));
    budget.left -= value.length + 2;
    return cut;
  }
  if (value === null || typeof value !== 'object') {
    budget.left -= String(value).length + 1;
    return value;
  }
  const out: unknown[] | Record<string, unknown> = Array.isArray(value) ? [] : {};
  for (const [key, v] of Object.entries(value)) {
    if (budget.left <= 0) break;
    budget.left -= key.length + 4;
    if (Array.isArray(out)) out.push(head(v, budget));
    else out[key] = head(v, budget);
  }
  return out;
}

/** A bulky field longer than the limit becomes a redacted preview of its JSON; others pass as they are. */
function shortener(limit: number) {
  const shorten = (key: string, value: unknown): unknown => {
    if (!BULKY_KEYS.has(key) || value === null || typeof value !== 'object') return value;
    const chars = JSON.stringify(value).length;
    if (chars <= limit) return value;
    return preview(JSON.stringify(redactValue(head(value, { left: limit }), shorten)), chars, limit);
  };
  return shorten;
}

/**
 * A task-result job may carry the request body as the JSON text it arrived as: shown parsed, like a body
 * stored as an object. Text that is not a JSON object stays text, redacted and cut to the preview length.
 */
function parsedBody(data: unknown, limit: number): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const { body } = data as { body?: unknown };
  if (typeof body !== 'string') return data;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object') return { ...data, body: parsed };
  return { ...data, body: body.length <= limit ? body : preview(body, body.length, limit) };
}

/** Job data (or a return value) as the board shows it; the job itself is untouched. */
export function boardJobData(data: unknown, previewChars = PAYLOAD_PREVIEW_CHARS): unknown {
  return redactValue(parsedBody(data, previewChars), shortener(previewChars));
}

/** A failure reason as the board shows it: the error code stays readable, the rest is redacted. */
export function boardFailedReason(reason: string): string {
  const code = fromFailedReason(reason)?.code;
  return code ? `${code}: ${redactText(reason.slice(code.length + 2))}` : redactText(reason);
}

interface JobSummary {
  readonly name: string;
  readonly data?: unknown;
  readonly failedReason?: string;
  readonly finishedOn?: number;
  readonly returnvalue?: unknown;
  readonly attemptsMade?: number;
  readonly opts?: { readonly attempts?: number };
}

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** A field of job data as the title shows it: text only, and short. */
const shown = (value: unknown, chars = 80): string => (typeof value === 'string' && value !== '' ? value.slice(0, chars) : '?');

/** A task-result job's body, kept as JSON text or (older jobs) as the object; {} when it is neither. */
function bodyOf(data: Record<string, unknown>): Record<string, unknown> {
  if (typeof data.body !== 'string') return asRecord(data.body);
  try {
    return asRecord(JSON.parse(data.body));
  } catch {
    return {};
  }
}

/**
 * What a job is about, made from its data, since its name is only its kind (domain/jobs.ts): the tenant
 * and the activity (or standalone key) and status of a task result, the tenant, commerce and due time of
 * a follow-up. Jobs queued when names were this text keep their name, as does any other kind.
 */
export function boardJobTitle(job: Pick<JobSummary, 'name' | 'data'>): string {
  const data = asRecord(job.data);
  const tenant = `tenant ${shown(data.tenantId, 8)}`;
  switch (job.name) {
    case JOB_NAMES.taskResult: {
      const body = bodyOf(data);
      const target = body.activity_id ? `activity ${shown(body.activity_id)}` : `key ${shown(body.provider_activity_id)}`;
      return `${job.name} · ${tenant} · ${target} · ${shown(body.status, 40)}`;
    }
    case JOB_NAMES.followUp:
      return `${job.name} · ${tenant} · commerce ${shown(data.commerceExternalId)} · due ${shown(data.scheduledAt, 40)}`;
    default:
      return job.name;
  }
}

/**
 * The name the board lists a job under: its title. A failed job also says its error code, and either that
 * a domain error is not retried or how many of its attempts it used, so a list of failures reads at a glance.
 */
export function boardJobName(job: JobSummary): string {
  const title = boardJobTitle(job);
  const failed = !!job.failedReason && !!job.finishedOn && job.returnvalue == null;
  if (!failed) return title;
  const code = fromFailedReason(job.failedReason)?.code;
  if (code) return `${title} · failed ${code} (not retried)`;
  return `${title} · failed after ${job.attemptsMade ?? 0} of ${job.opts?.attempts ?? 1} attempts`;
}
