// The raw material of the hostile burst: injection strings, Unicode edge cases, wrong types and broken
// JSON, and the fields of a task-result body they are put into.

export const INJECTIONS: readonly string[] = [
  "'; DROP TABLE activity_results; --",
  "' OR '1'='1",
  '" OR ""="',
  '1; SELECT pg_sleep(10); --',
  '$$; DELETE FROM tenants; $$',
  "\\'; TRUNCATE activity_result_events; --",
  "') ON CONFLICT DO NOTHING; --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(document.cookie)>',
  'javascript:alert(1)',
  "{{constructor.constructor('return process')().exit()}}",
  '${7*7}#{7*7}<%= 7*7 %>',
  '$(id) `id` | id; id',
  '../../../../etc/passwd',
  '%00%27%22%3Cscript%3E',
  '${jndi:ldap://127.0.0.1/a}',
  '%s%s%s%n%x',
  '\r\n{"level":60,"msg":"forged log line"}',
  '__proto__',
  'constructor',
];

export const UNICODE: readonly (readonly [string, string])[] = [
  ['lone high surrogate', 'a\ud800b'],
  ['lone low surrogate', 'a\udc00b'],
  ['reversed surrogate pair', '\udc00\ud800'],
  ['NUL', 'a\u0000b'],
  ['noncharacters', '\ufffe\uffff'],
  ['byte order mark', '\ufeffx'],
  ['right-to-left override', 'abc\u202edcba'],
  ['zero-width joiner sequence', '\u{1F469}\u200d\u{1F469}\u200d\u{1F467}'],
  ['combining marks', `e${'\u0301'.repeat(60)}`],
  ['astral plane', '\u{1D573}\u{1D58A}\u{1D591} \u{1F600}'],
  ['line and paragraph separators', 'a\u2028b\u2029c'],
  ['control characters', '\u0001\u001b[31m\u007f'],
  ['mixed scripts', 'Ωмир漢字ﷺ'],
  ['255 UTF-16 units ending in a surrogate pair', `${'a'.repeat(253)}\u{1F600}`],
  ['128 emoji (256 UTF-16 units)', '\u{1F600}'.repeat(128)],
];

/** Where a string can go in a task-result body; `key` puts it in as an object key instead of a value. */
export const STRING_FIELDS = [
  'activity_id',
  'provider_activity_id',
  'commerce_external_id',
  'occurred_at',
  'status',
  'external_status',
  'task_result.result',
  'task_result.comment',
  'task_result.contact_type',
  'task_result.operator_external_id',
  'task_result.future_scheduled_at',
  'raw_payload.note',
  'raw_payload.key',
  'task_result.payload.note',
] as const;

export const TYPE_FIELDS = [
  'activity_id',
  'provider_activity_id',
  'commerce_external_id',
  'occurred_at',
  'status',
  'external_status',
  'hard_override',
  'raw_payload',
  'task_result',
  'task_result.result',
  'task_result.comment',
  'task_result.contact_type',
  'task_result.future_scheduled_at',
  'task_result.payload',
] as const;

export const WRONG_TYPES: readonly (readonly [string, unknown])[] = [
  ['number', 42],
  ['negative', -1],
  ['fraction', 1.5],
  ['true', true],
  ['false', false],
  ['null', null],
  ['empty array', []],
  ['array of strings', ['PENDING']],
  ['empty object', {}],
  ['operator object', { $ne: null }],
];

// Written into the JSON text as is: not representable as a JS value.
export const RAW_NUMBERS = ['1e400', '-0', '123456789012345678901234567890', '0x10', 'Infinity'];

export const INVALID_JSON = [
  '',
  ' ',
  '{',
  '}',
  '{"a":}',
  '{"status":"PENDING",}',
  "{'status':'PENDING'}",
  'nul',
  'NaN',
  '[1,2',
  '"unterminated',
  '{"a":1}{"b":2}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a": 01}',
  '{"a": .5}',
  '\ufeff{"a":1}',
  '/* comment */ {}',
  '{"a":1} // trailing',
  'null',
  'true',
  '123',
  '"string"',
  '[]',
];

export const INVALID_UTF8: readonly (readonly [string, number[]])[] = [
  ['byte 0xFF', [0xff]],
  ['overlong slash', [0xc0, 0xaf]],
  ['encoded surrogate', [0xed, 0xa0, 0x80]],
  ['five-byte sequence', [0xf8, 0x88, 0x80, 0x80, 0x80]],
  ['truncated sequence', [0xe2, 0x82]],
];
