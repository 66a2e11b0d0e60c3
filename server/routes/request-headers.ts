// The headers of the POST routes that queue events: Idempotency-Key and Prefer.
import type { Request } from 'express';
import { DomainError } from '../../domain/errors';

export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (key.length < 1 || key.length > 255) {
    throw new DomainError('VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 characters', [
      { path: 'headers.idempotency-key', message: 'Idempotency-Key must be 1 to 255 characters' },
    ]);
  }
  return key;
}

export function wantsAsync(req: Request): boolean {
  return (req.get('prefer') ?? '').split(/[,;]/).some((p) => p.trim().toLowerCase() === 'respond-async');
}
