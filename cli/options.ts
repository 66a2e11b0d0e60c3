// The admin CLI's options: each reader throws a UsageError naming the option, which the CLI prints with
// its usage and exit code 64.
import { PERMISSIONS, type Permission } from '../domain/api-keys';
import { isUuid } from '../domain/schemas/common';
import { Tenant } from '../models';

export class UsageError extends Error {}

export type Options = Record<string, string | boolean | undefined>;

/** What a command prints: `text` for people, `json` (one object, on the last line) with --json. */
export type Output = { text: string; json: Record<string, unknown>; warnings?: string[] };

export function required(options: Options, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value.trim();
}

export function uuid(options: Options, name: string): string {
  const value = required(options, name);
  if (!isUuid(value)) throw new UsageError(`--${name} must be a uuid`);
  return value;
}

export function permissions(options: Options): Permission[] {
  const list = typeof options.permissions === 'string' ? options.permissions.split(',').map((p) => p.trim()) : [...PERMISSIONS];
  const unknown = list.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
  if (unknown.length || list.length === 0) throw new UsageError(`--permissions takes ${PERMISSIONS.join(',')}`);
  return [...new Set(list)] as Permission[];
}

export function expires(options: Options): Date | null {
  if (options.expires === undefined) return null;
  const date = new Date(String(options.expires));
  if (Number.isNaN(date.getTime())) throw new UsageError('--expires must be an ISO 8601 date');
  return date;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as 24h, 30m, 1h30m, 7d or 0, in milliseconds. */
export function duration(options: Options, name: string, fallbackMs: number): number {
  if (options[name] === undefined) return fallbackMs;
  const text = required(options, name);
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+)([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new UsageError(`--${name} must be a duration such as 24h, 30m, 1h30m, 7d or 0`);
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * UNIT_MS[unit], 0);
}

export function wholeNumber(options: Options, name: string): number {
  const text = required(options, name);
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number, 0 or more`);
  return Number(text);
}

export async function findTenant(id: string): Promise<Tenant> {
  const tenant = await Tenant.findByPk(id);
  if (!tenant) throw new UsageError(`no tenant ${id}`);
  return tenant;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;
const cell = (value: unknown) =>
  value === null || value === undefined ? '-' : value instanceof Date ? value.toISOString() : String(value);

/** Rows as aligned columns under a header, for the text output of the list commands. */
export function table(header: string[], rows: unknown[][]): string {
  const cells = [header, ...rows.map((row) => row.map(cell))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells
    .map((row) =>
      row
        .map((value, i) => value.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export { iso };
