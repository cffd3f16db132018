/**
 * Input quoted in a message (a file name, a backup id, an unknown setting name) must not
 * carry control characters, bidi overrides or line separators: in a terminal, a log line or
 * a notification they can forge text or hide what is shown. They become U+XXXX, and the
 * text is cut to `max` characters.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

export function printable(text: string, max = 120): string {
  const chars = [...text.replace(UNPRINTABLE, (c) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
}
