// What counts as a secret when the board shows a job: LogTape's maintained list of sensitive field names
// and its value patterns (JSON Web Tokens, Luhn-valid card numbers), plus the few names that list leaves
// out and providers do send. A secret field, a name/value pair that names one, and a "name=value" inside
// a string all lose their value; so do bearer and basic credentials and the patterned values anywhere.
import {
  CREDIT_CARD_NUMBER_PATTERN,
  DEFAULT_REDACT_FIELDS,
  JWT_PATTERN,
  type FieldPattern,
  type RedactionPattern,
} from '@logtape/redaction';

export const REDACTED = '[redacted]';

// Matched like LogTape's list: a string names the field exactly, a pattern matches anywhere in it.
const MORE_SECRET_FIELDS: readonly FieldPattern[] = [
  /^(pw|pwd|pass)$/i,
  /bearer/i,
  /jwt/i,
  /session/i,
  /cookie/i,
  /card[-_ ]?(number|num|no)|^pan$|cvv|cvc/i,
];
const SECRET_FIELDS: readonly FieldPattern[] = [...DEFAULT_REDACT_FIELDS, ...MORE_SECRET_FIELDS];

const VALUE_PATTERNS: readonly RedactionPattern[] = [JWT_PATTERN, CREDIT_CARD_NUMBER_PATTERN];

/** Properties that name the `value` beside them, as in [{"name": "password", "value": "…"}]. */
const PAIR_NAMES = ['name', 'key', 'field', 'header'];

// "token=…", "password: …", "\"secret\":\"…\"" and Joi's '"path" with value "…"', in any text. Every
// pattern here starts only at a word's start and bounds its repeats, so a long text costs linear time.
const NAME_THEN_SEPARATOR = /(?<![\w.-])(["']?)([A-Za-z_][\w.-]{0,127})\1\s*(?:[=:]|\bwith value\b)\s*/g;
const VALUE = /"[^"]*"|'[^']*'|[^\s&;,"'{}[\]]+/y;
const CREDENTIALS = /\b(Bearer|Basic)(\s+)[\w~+/=.-]{8,}/gi;
const CREDENTIAL_SCHEME = /^(Bearer|Basic)$/i;
// The password in a URL such as postgres://user:password@host/db.
const URL_PASSWORD = /(?<![\w+.-])([a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/@]{1,256}:)[^\s@/]{1,256}@/gi;

export function isSecretName(name: string): boolean {
  const last = name.slice(name.lastIndexOf('.') + 1);
  return SECRET_FIELDS.some((field) =>
    typeof field === 'string' ? field === name || field === last : field.test(name) || field.test(last),
  );
}

// Scans name-and-separator pairs without consuming what follows, so "failed: password=…" still finds
// the password after an innocent name.
function redactNamedValues(text: string): string {
  let out = '';
  let from = 0;
  for (const match of text.matchAll(NAME_THEN_SEPARATOR)) {
    if (match.index < from || !isSecretName(match[2])) continue;
    const at = match.index + match[0].length;
    VALUE.lastIndex = at;
    const value = VALUE.exec(text)?.[0];
    if (!value || CREDENTIAL_SCHEME.test(value)) continue; // its credentials are redacted on their own
    const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
    out += `${text.slice(from, at)}${quote}${REDACTED}${quote}`;
    from = at + value.length;
  }
  return out + text.slice(from);
}

/** A text with every secret-looking value in it replaced. */
export function redactText(text: string): string {
  let out = redactNamedValues(text.replace(CREDENTIALS, (_whole, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)).replace(
    URL_PASSWORD,
    (_whole, start: string) => `${start}${REDACTED}@`,
  );
  for (const { pattern, replacement } of VALUE_PATTERNS) {
    out = out.replace(pattern, typeof replacement === 'string' ? () => replacement : (match) => replacement(match));
  }
  return out;
}

function namesSecretValue(object: Record<string, unknown>): boolean {
  if (!('value' in object)) return false;
  return PAIR_NAMES.some((key) => typeof object[key] === 'string' && isSecretName(object[key] as string));
}

/**
 * A copy of `value` with secrets redacted at any depth; the value itself is untouched. `shorten`, when
 * given, may replace a field's value (by its name) before it is looked into, so a bulky one costs little.
 */
export function redactValue(value: unknown, shorten?: (key: string, value: unknown) => unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'number') return redactText(String(value)) === String(value) ? value : REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, shorten));
  if (value === null || typeof value !== 'object') return value;
  const pairNamesSecret = namesSecretValue(value as Record<string, unknown>);
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      if (isSecretName(key) || (pairNamesSecret && key === 'value')) return [key, REDACTED];
      return [key, redactValue(shorten ? shorten(key, v) : v, shorten)];
    }),
  );
}
