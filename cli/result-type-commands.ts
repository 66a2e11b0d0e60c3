// result-type:* commands. A tenant without result types takes any task_result.result; its first one
// turns on the check of every code, so the commands say when that changes.
import { TaskResultType } from '../models';
import { findTenant, required, table, UsageError, uuid, type Options, type Output } from './options';

const bodyOf = (row: TaskResultType) => ({
  tenantId: row.tenantId,
  code: row.code,
  label: row.label,
  requiresFutureScheduledAt: row.requiresFutureScheduledAt,
});

export const resultTypeCommands: Record<string, (options: Options) => Promise<Output>> = {
  async 'result-type:add'(options) {
    const tenantId = uuid(options, 'tenant');
    await findTenant(tenantId);
    const code = required(options, 'code');
    const values = { label: required(options, 'label'), requiresFutureScheduledAt: options['requires-future-scheduled-at'] === true };
    const existing = await TaskResultType.findOne({ where: { tenantId, code } });
    const first = !existing && (await TaskResultType.count({ where: { tenantId } })) === 0;
    const row = existing ? await existing.update(values) : await TaskResultType.create({ tenantId, code, ...values });
    const what = existing ? `result type ${code} updated for tenant ${tenantId}` : `result type ${code} added for tenant ${tenantId}`;
    const note = first
      ? `\nthis is the tenant's first result type: from now on task_result.result must be one of its codes (result-type:list)`
      : '';
    return { text: `${what}${note}`, json: { ...bodyOf(row), updated: Boolean(existing) } };
  },

  async 'result-type:list'(options) {
    const tenantId = uuid(options, 'tenant');
    await findTenant(tenantId);
    const rows = await TaskResultType.findAll({ where: { tenantId }, order: [['code', 'ASC']] });
    const items = rows.map(({ code, label, requiresFutureScheduledAt }) => ({ code, label, requiresFutureScheduledAt }));
    const text = items.length
      ? table(
          ['CODE', 'LABEL', 'NEEDS FUTURE_SCHEDULED_AT'],
          items.map((t) => [t.code, t.label, t.requiresFutureScheduledAt ? 'yes' : 'no']),
        )
      : `tenant ${tenantId} has no result types: any task_result.result is accepted`;
    return { text, json: { tenantId, items } };
  },

  async 'result-type:remove'(options) {
    const tenantId = uuid(options, 'tenant');
    await findTenant(tenantId);
    const code = required(options, 'code');
    const removed = await TaskResultType.destroy({ where: { tenantId, code } });
    if (removed === 0) throw new UsageError(`tenant ${tenantId} has no result type ${code}`);
    const left = await TaskResultType.count({ where: { tenantId } });
    const note = left === 0 ? `; it was the tenant's last: any task_result.result is accepted again` : '';
    return { text: `result type ${code} removed from tenant ${tenantId}${note}`, json: { tenantId, code, removed: true, remaining: left } };
  },
};
