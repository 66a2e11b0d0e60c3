// Errors that only exist at the HTTP edge. Domain errors (domain/errors.ts) carry their own codes.
import type { ErrorDetail } from '../domain/errors';

export const HTTP_ERROR_CODES = [
  'UNAUTHORIZED',
  'FORBIDDEN',
  'TENANT_INACTIVE',
  'NOT_FOUND',
  'VALIDATION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
    readonly options: { retryAfterSeconds?: number; details?: readonly ErrorDetail[] } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const unauthorized = (message: string) => new HttpError(401, 'UNAUTHORIZED', message);
export const forbidden = (message: string) => new HttpError(403, 'FORBIDDEN', message);
export const serviceUnavailable = (message: string, retryAfterSeconds = 5) =>
  new HttpError(503, 'SERVICE_UNAVAILABLE', message, { retryAfterSeconds });
export const tenantInactive = () => new HttpError(403, 'TENANT_INACTIVE', 'this tenant is inactive: its API keys are refused');
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new HttpError(429, 'RATE_LIMITED', message, { retryAfterSeconds });
