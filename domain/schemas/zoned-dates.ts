// Dates the API accepts. `new Date()` rolls calendar nonsense over (Feb 31 becomes Mar 3, 24:00 the next
// day) and takes years PostgreSQL cannot store (year 0000 is "out of range" there, and the job would fail
// after it was acknowledged), so each field is checked on its own and the instant kept to a plausible span.

const ZONED_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))$/i;

/** The earliest and the latest instant accepted, in ms since the epoch. */
export const EARLIEST_INSTANT = Date.UTC(1970, 0, 1);
export const LATEST_INSTANT = Date.UTC(10000, 0, 1) - 1;

// Real zones run from -12:00 to +14:00.
const MAX_OFFSET_MINUTES = 14 * 60;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The instant (ms since the epoch) of an ISO 8601 date-time with a zone; `undefined` when the text is not
 * one, 'out-of-range' when it names no real moment or one outside 1970 to 9999. Fractions past the
 * millisecond are cut off, as `new Date()` does.
 */
export function parseZonedIsoDate(text: string): number | 'out-of-range' | undefined {
  const m = ZONED_ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second = 0] = m
    .slice(1, 7)
    .map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const offset = m[8].toUpperCase() === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  const fieldsExist =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    Number(m[11] ?? 0) <= 59 &&
    Math.abs(offset) <= MAX_OFFSET_MINUTES;
  if (!fieldsExist) return 'out-of-range';
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day); // Date.UTC would read years 0-99 as 1900-1999
  local.setUTCHours(hour, minute, second, ms);
  const instant = local.getTime() - offset * 60_000;
  return instant < EARLIEST_INSTANT || instant > LATEST_INSTANT ? 'out-of-range' : instant;
}
