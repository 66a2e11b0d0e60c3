// Request bodies as JSON text. Providers' free-form payloads may carry numbers a JavaScript number cannot
// hold (ids past 2^53, long decimals, 1e400): JSON.parse would change them silently. Such a body is parsed
// by lossless-json instead, which keeps those numbers as their text; PostgreSQL's jsonb stores them
// exactly. See docs/guarantees.md.
// Such a body must not repeat a key: lossless-json refuses that, where JSON.parse keeps the last.
import { LosslessNumber, isLosslessNumber, isSafeNumber, parse as parseLossless } from 'lossless-json';

export { isLosslessNumber, type LosslessNumber };

/** Fields of one object in a body; a wider object is refused before it is parsed (see scanJsonText). */
export const MAX_OBJECT_FIELDS = 1_000;
/** Nesting of a body; the schemas allow less, this only spares the parser. */
const MAX_NESTING = 64;

/** A body refused before it is parsed: its shape alone would cost more than it is worth. */
export class JsonTooLarge extends Error {}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * One pass over the text, outside strings: refuses an object with more than MAX_OBJECT_FIELDS fields (a
 * hundred thousand keys cost V8 a fifth of a second to parse) or nesting past MAX_NESTING, and tells
 * whether a number may lose digits as a JavaScript number: more than 15 significant digits, or an
 * exponent of three digits (1e400 would become Infinity, 1e-400 zero).
 */
function scanJsonText(text: string): { mayLoseDigits: boolean } {
  const commas: number[] = []; // per open container: -1 for an array, else the object's commas so far
  let mayLoseDigits = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      commas.push(c === 123 ? 0 : -1);
      if (commas.length > MAX_NESTING) throw new JsonTooLarge(`the body is nested deeper than ${MAX_NESTING} levels`);
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      commas.pop();
    } else if (c === 44 /* , */) {
      const top = commas.length - 1;
      if (top >= 0 && commas[top] >= 0 && ++commas[top] >= MAX_OBJECT_FIELDS) {
        throw new JsonTooLarge(`an object in the body has more than ${MAX_OBJECT_FIELDS} fields`);
      }
    } else if (c === 45 /* - */ || isDigit(c)) {
      let significant = 0;
      let exponentDigits = 0;
      let inExponent = false;
      for (; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (isDigit(d)) {
          if (inExponent) exponentDigits++;
          else if (significant > 0 || d !== 48) significant++;
        } else if (d === 101 || d === 69 /* e E */) inExponent = true;
        else if (d !== 46 && d !== 43 && d !== 45 /* . + - */) break;
      }
      i--;
      if (significant > 15 || exponentDigits > 2) mayLoseDigits = true;
    }
  }
  return { mayLoseDigits };
}

const parseNumber = (text: string): number | LosslessNumber => (isSafeNumber(text) ? Number(text) : new LosslessNumber(text));

/**
 * The value of a JSON text, with every number as sent. Throws JsonTooLarge for a body too wide or deep
 * to be worth parsing, SyntaxError (or lossless-json's Error, on a repeated key) when it is not JSON.
 */
export function parseJsonText(text: string): unknown {
  return scanJsonText(text).mayLoseDigits ? parseLossless(text, null, parseNumber) : JSON.parse(text);
}

/**
 * JSON with object keys sorted at every depth, so key order in the request does not matter. Every own key
 * counts (`__proto__` too), and a number kept as text is written as sent.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (isLosslessNumber(value)) return value.value;
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      return `{${Object.keys(value)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
        .join(',')}}`;
    default:
      return 'null';
  }
}

// PostgreSQL's numeric, behind jsonb numbers: up to 131072 digits before the decimal point and 16383 after.
const MAX_INTEGER_DIGITS = 131_072;
const MAX_FRACTION_DIGITS = 16_383;

/** Whether jsonb can hold this JSON number text; only numbers kept as text can fall outside. */
export function isStorableNumber(text: string): boolean {
  const m = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return false;
  const digits = m[1] + (m[2] ?? '');
  const exponent = Number(m[3] ?? 0);
  const point = m[1].length + exponent; // the decimal point falls after this many of `digits`
  const firstSignificant = digits.search(/[1-9]/);
  const integerDigits = firstSignificant < 0 ? 0 : point - firstSignificant;
  return integerDigits <= MAX_INTEGER_DIGITS && digits.length - point <= MAX_FRACTION_DIGITS;
}

/** A batch body that is not a JSON array (or NDJSON) of events: the whole request is a 400. */
export class JsonBatchMalformed extends Error {}
/** A batch with more events than allowed: the whole request is a 413. */
export class JsonBatchTooLarge extends Error {}

const isJsonSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** `text` without the JSON white space around it (String.trim would also take Unicode spaces, which JSON refuses). */
function trimJsonSpace(text: string, from: number, to: number): string {
  while (from < to && isJsonSpace(text.charCodeAt(from))) from++;
  while (to > from && isJsonSpace(text.charCodeAt(to - 1))) to--;
  return text.slice(from, to);
}

/**
 * The texts of a JSON array's elements, each exactly as sent (only the white space around it dropped),
 * so every event keeps its own text: numbers past a JavaScript number, key order, `__proto__`. One pass
 * that finds the commas and the closing bracket outside strings and nested values; the elements are not
 * parsed here, each is parsed on its own afterwards (parseJsonText), which also refuses a mismatched
 * bracket inside one. Throws JsonBatchMalformed when the text is not an array, JsonBatchTooLarge past
 * `maxItems` elements (without scanning further).
 */
export function splitJsonArray(text: string, maxItems: number): string[] {
  let i = 0;
  while (i < text.length && isJsonSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 91 /* [ */) throw new JsonBatchMalformed('the body must be a JSON array of events');
  const items: string[] = [];
  let start = i + 1;
  const push = (end: number) => {
    const item = trimJsonSpace(text, start, end);
    if (item === '') throw new JsonBatchMalformed(`event ${items.length} of the array is empty`);
    if (items.length >= maxItems) throw new JsonBatchTooLarge(`a batch holds at most ${maxItems} events`);
    items.push(item);
  };
  let depth = 0;
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
      if (i >= text.length) break;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
    } else if ((c === 125 /* } */ || c === 93) /* ] */ && depth > 0) {
      depth--;
    } else if (c === 93 /* ] */) {
      // The end of the array: `[]` is an empty batch; anything else closes its last element.
      if (items.length > 0 || trimJsonSpace(text, start, i) !== '') push(i);
      if (trimJsonSpace(text, i + 1, text.length) !== '') throw new JsonBatchMalformed('the body goes on after the array');
      return items;
    } else if (c === 44 /* , */ && depth === 0) {
      push(i);
      start = i + 1;
    } else if (c === 125 /* } */) {
      throw new JsonBatchMalformed('the array of events is malformed');
    }
  }
  throw new JsonBatchMalformed('the array of events is not closed');
}

/**
 * The texts of an NDJSON body's events: one JSON text a line, each exactly as sent. Blank lines (a
 * trailing newline, say) are not events. A JSON text holds no raw line break, so a line is an event.
 */
export function splitJsonLines(text: string, maxItems: number): string[] {
  const items: string[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const item = trimJsonSpace(text, start, end);
    if (item !== '') {
      if (items.length >= maxItems) throw new JsonBatchTooLarge(`a batch holds at most ${maxItems} events`);
      items.push(item);
    }
    start = end + 1;
  }
  return items;
}
