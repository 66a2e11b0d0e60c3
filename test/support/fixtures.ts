import { generateApiKey } from '../../domain/api-keys';
import type { Permission } from '../../domain/api-keys';
import { ApiKey, Tenant } from '../../models';

export interface TestTenant {
  readonly tenantId: string;
  readonly key: string;
  readonly apiKeyId: string;
}

export async function createTenant(
  permissions: Permission[] = ['CREATE_ACTIVITY', 'VIEW_ACTIVITIES'],
  keyOptions: { expiresAt?: Date; revokedAt?: Date } = {},
): Promise<TestTenant> {
  const tenant = await Tenant.create({ name: `tenant ${Math.random().toString(36).slice(2, 8)}` });
  const { key, prefix, hash } = generateApiKey();
  const row = await ApiKey.create({ tenantId: tenant.id, name: 'test', prefix, keyHash: hash, permissions, ...keyOptions });
  return { tenantId: tenant.id, key, apiKeyId: row.id };
}

/** The original API page's example body, with overrides. */
export function seedEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    provider_activity_id: 'ext-123',
    commerce_external_id: 'store-001',
    status: 'COMPLETED',
    occurred_at: '2025-01-16T14:30:00.000Z',
    task_result: { result: 'success', comment: 'Order placed successfully', contact_type: 'OUTBOUND' },
    ...overrides,
  };
}

export function minutesAfter(iso: string, minutes: number): string {
  return new Date(new Date(iso).getTime() + minutes * 60_000).toISOString();
}
