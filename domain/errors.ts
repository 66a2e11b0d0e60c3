// Domain errors carry a stable machine code. The HTTP error middleware maps them to responses and the
// worker's classifier fails their jobs at once; neither ever looks at the message text.

export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

export const DOMAIN_ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  ACTIVITY_NOT_FOUND: 404,
  RESULT_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  STALE_EVENT: 409,
  INVALID_STATE_TRANSITION: 409,
  ACTIVITY_ALREADY_EXISTS: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  /** PostgreSQL refused a value of the event (SQLSTATE class 22): it never will store it. */
  UNSTORABLE_EVENT: 422,
  /** A job is not one this service queued (its data altered, or a name of no job kind): running it would write junk. */
  JOB_DATA_INVALID: 422,
} as const;

export type DomainErrorCode = keyof typeof DOMAIN_ERROR_STATUS;

export class DomainError extends Error {
  readonly status: number;

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: readonly ErrorDetail[],
  ) {
    super(message);
    this.name = 'DomainError';
    this.status = DOMAIN_ERROR_STATUS[code];
  }
}

export const validationFailed = (message: string, details: readonly ErrorDetail[]) =>
  new DomainError('VALIDATION_FAILED', message, details);

export const staleEvent = (occurredAt: Date, storedAt: Date) =>
  new DomainError(
    'STALE_EVENT',
    `event occurred at ${occurredAt.toISOString()}, not after the last applied event at ${storedAt.toISOString()}`,
  );

export const invalidTransition = (what: string, from: string, to: string) =>
  new DomainError('INVALID_STATE_TRANSITION', `${what} cannot move from ${from} to ${to} without hard_override`);

// A job that failed for a domain reason stores "CODE: message" as its failedReason, so the HTTP side can
// turn it back into the same error for a provider that waits or asks later.
export function toFailedReason(error: DomainError): string {
  return `${error.code}: ${error.message}`;
}

export function fromFailedReason(reason: string | undefined): DomainError | undefined {
  const match = /^([A-Z_]+): (.*)$/s.exec(reason ?? '');
  if (!match || !(match[1] in DOMAIN_ERROR_STATUS)) return undefined;
  return new DomainError(match[1] as DomainErrorCode, match[2]);
}
