/**
 * Hostile values for the input-hardening suites: what a tired admin pastes, what an attacker
 * who controls a user name, a profile file or a snippet parameter would try, and what breaks
 * naive encoders. Shared by the user-name, snippet-parameter, profile-field and file-name
 * tests (test/unit/hostile.input.test.ts, test/integration/hostile.sql.test.ts).
 */

const HANDWRITTEN: string[] = [
  // SQL
  "'", "''", "' OR 1=1 --", "' OR '1'='1", "admin'--", "x'; DROP TABLE app_user; --", '"; DROP TABLE "x"; --',
  "1); DELETE FROM app_user; --", "' UNION SELECT \"SECRET\" FROM \"AO_ED669C_TOTP_USER_ENROLLMENT\" --",
  "'||(SELECT version())||'", '$$ x $$', '$tag$ x $tag$', "E'\\x27'", "\\'; --", '\\', '\\\\', '/* x */', '*/', '/*', '--', '#', ';',
  ':username', ':1', '?', '$1', '@p1', ':b1', '{{LIMIT :a OFFSET :b}}', '%', '_', 'a%', 'a_b', 'NULL', 'null', 'undefined', 'NaN', 'true', '0', '-1', '1e308',
  "0x27", 'CHAR(39)', 'WAITFOR DELAY \'0:0:5\'', 'pg_sleep(5)', "'; SELECT pg_sleep(5); --", 'SLEEP(5)#',
  // paths and URLs
  '../', '../../etc/passwd', '..\\..\\windows\\win.ini', '/etc/passwd', 'C:\\Windows\\System32', '~/.ssh/id_rsa', 'file:///etc/passwd',
  'http://evil.example.com/', '//evil.example.com', 'a/b', 'a\\b', '%2e%2e%2f', '%252e%252e', '%00', '%0d%0aSet-Cookie: x=1', '?x=1', '#frag', 'a;b=c',
  // markup, templates, formulas, shells
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', "javascript:alert(1)", '${7*7}', '{{7*7}}', '#{7*7}', '<%= 7*7 %>',
  '=cmd|\'/C calc\'!A0', '=HYPERLINK("http://evil")', '+1+1', '-1+1', '@SUM(1)', '$(id)', '`id`', '| id', '&& id', '; id', "'$(id)'",
  '%s%s%s%n', '%x%x', '{0}', '\\u0000', '\\n',
  // JSON / prototype
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '{"a":1}', '[]', '{}',
  // whitespace and invisible characters
  ' ', '  ', ' leading', 'trailing ', 'a  b', '\u00a0', '\u2003em space', 'zero\u200bwidth', '\u200d', '\ufeffbom', '\u2028line sep', '\u2029para sep', '\u180e',
  // control characters
  'a\nb', 'a\rb', 'a\r\nb', 'a\tb', 'a\u0000b', '\u0000', 'bell\u0007', 'esc\u001b[31mred', 'del\u007f', 'c1\u0085', 'c1\u009b', 'back\bspace', 'form\ffeed', 'vert\u000btab',
  // bidi and look-alikes
  'evil\u202etxt.exe', '\u202dltr', '\u2066isolate\u2069', '\u200fRLM', '\u061cALM', 'аdmin' /* Cyrillic a */, 'ɑdmin', 'ADMIN', 'Admin', 'admin', 'ａｄｍｉｎ',
  // Unicode
  'ünïcödé', 'e\u0301', 'Z̴̡̛͓a̷l̶g̷o̸', '用户', 'ユーザー', 'مستخدم', 'משתמש', 'Ελληνικά', '😀', '👩‍💻', '🏳️‍🌈', '🇫🇷', '\u{10ffff}', '\ufffd', '\ufffe', '\uffff',
  '\ud800', 'x\udc00', '\udbff\udfff',
  // lengths
  'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(1000), 'x'.repeat(1001), '😀'.repeat(255), '😀'.repeat(256), 'a'.repeat(64), 'a'.repeat(65), 'é'.repeat(300),
  // Windows reserved file names and dot names
  'CON', 'nul', 'COM1', 'LPT1.txt', 'aux.json', '.', '..', '...', '.hidden', 'trailing.', 'trailing ', '-rf', '--help', '-',
];

/** Every printable ASCII punctuation character, alone and inside a name. */
const PUNCTUATION = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'].flatMap((c) => [c, `a${c}b`]);

/** Every C0 control character inside a name. */
const CONTROLS = Array.from({ length: 32 }, (_, i) => `a${String.fromCharCode(i)}b`);

/**
 * What a server, a database row or a file can send to forge or hide terminal and page text:
 * screen clears, cursor moves, window titles (OSC, BEL- and ST-terminated), hyperlinks, 8-bit
 * C1 controls, bidi overrides/isolates/marks, zero-width characters.
 */
export const TERMINAL_HOSTILE: readonly string[] = [
  'x\u001b[2J\u001b[Hforged', '\u001b]0;owned\u0007title', '\u001b]0;owned\u001b\\', '\u001b]8;;http://evil.example/\u001b\\link\u001b]8;;\u001b\\',
  '\u009b2J c1 csi', '\u009d0;c1 osc\u009c', 'a\u001b[1A\u001b[2Kup', 'b\rover', 'bell\u0007', 'c\bback', 'line\nforged: ok',
  'user\u202egnp.exe', 'x\u202dltr', '\u2066iso\u2069', 'r\u200fl', 'a\u061cb', 'zero\u200bwidth', 'zw\u200cnj', 'zw\u200dj', 'wj\u2060', 'bom\ufeff', 'ls\u2028ps\u2029', 'del\u007f',
];

export const HOSTILE: readonly string[] = [...new Set([...HANDWRITTEN, ...PUNCTUATION, ...CONTROLS, ...TERMINAL_HOSTILE])];

/** C0/C1 controls, bidi overrides/isolates, line/paragraph separators: never in a message. */
export const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/**
 * What must never reach a terminal or a page raw from untrusted text: UNPRINTABLE plus bidi
 * marks and zero-width characters. Written here independently of src/core/printable.ts.
 */
export const TERMINAL_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2060\u2028\u2029\ufeff]/;

/** The strings of HOSTILE that a terminal or a page would act on or hide. */
export const HOSTILE_FOR_TERMINALS: readonly string[] = HOSTILE.filter((s) => TERMINAL_UNSAFE.test(s) || s.includes('\n'));

/** A short, printable label for a test title. */
export function label(value: string): string {
  const shown = JSON.stringify(value);
  return shown.length > 40 ? `${shown.slice(0, 30)}… (${[...value].length} chars)` : shown;
}
