/**
 * The one output path for untrusted text. Whatever came from a server, a database, a file or
 * the command line (a user name, a policy name, a query result, a file name) passes through
 * printable() before it reaches a terminal, a log line, a notification or a webview: control
 * characters (C0, DEL, C1: ESC[2J clears a screen, ESC]0;…BEL sets a window title), bidi
 * embeddings, overrides, isolates and marks (text that displays as something else), line and
 * paragraph separators, and zero-width characters (text that hides a difference) become a
 * visible U+XXXX. The text is cut to `max` characters.
 */

/** The characters printable() shows as U+XXXX. */
export const UNPRINTABLE_CHARS = '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff';

const UNPRINTABLE = new RegExp(`[${UNPRINTABLE_CHARS}]`, 'g');
/** The same set but the newline: for several lines of our own text (a table) around escaped values. */
const UNPRINTABLE_BUT_NEWLINE = new RegExp(`[${UNPRINTABLE_CHARS.replace('\\u0000-\\u001f', '\\u0000-\\u0009\\u000b-\\u001f')}]`, 'g');
/** What JSON.stringify leaves raw of that set (it escapes C0 itself). */
const JSON_RAW = new RegExp(`[${UNPRINTABLE_CHARS.replace('\\u0000-\\u001f', '')}]`, 'g');

function codePoint(c: string): string {
  return c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
}

export function printable(text: string, max = 120): string {
  const chars = [...text.replace(UNPRINTABLE, (c) => `U+${codePoint(c)}`)];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
}

/**
 * Text of several lines, every line printable() with no length limit: the last guard of a
 * terminal writer (the CLI's stdout and stderr), so that no raw control character gets out
 * even from a value someone forgot to pass through printable().
 */
export function printableLines(text: string): string {
  return text.replace(UNPRINTABLE_BUT_NEWLINE, (c) => `U+${codePoint(c)}`);
}

/**
 * JSON text safe to print: JSON.stringify escapes C0 controls, and this also escapes DEL, C1,
 * bidi, separators and zero-width characters as \uXXXX (only ever inside strings, so the
 * value a JSON parser reads back is unchanged).
 */
export function printableJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(JSON_RAW, (c) => `\\u${codePoint(c).toLowerCase()}`);
}
