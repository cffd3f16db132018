/**
 * A small, strict XML reader for configuration files such as Jira's dbconfig.xml. It reads
 * elements, attributes, text, CDATA, comments and the XML declaration, and refuses what a
 * configuration file never needs and an attacker would use: a DOCTYPE (so no entity
 * definitions, no external entities, no billion laughs), entity references other than the
 * five predefined ones and character references, more than MAX_DEPTH levels or MAX_ELEMENTS
 * elements. Errors name the line and what was expected.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (text and CDATA directly inside it), not trimmed. */
  text: string;
  line: number;
}

export class XmlError extends Error {
  constructor(message: string, public readonly line?: number) {
    super(line ? `${message} (line ${line})` : message);
    this.name = 'XmlError';
  }
}

export const MAX_XML_BYTES = 256 * 1024;
const MAX_DEPTH = 32;
const MAX_ELEMENTS = 10_000;
const NAME = /^[A-Za-z_][A-Za-z0-9._:-]*$/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Bytes of a file to text: UTF-8 (with or without BOM) unless the declaration says
 * ISO-8859-1 or US-ASCII. Anything else (UTF-16, other code pages) is refused.
 */
export function decodeXml(bytes: Uint8Array): string {
  if (bytes.length > MAX_XML_BYTES) throw new XmlError(`the file is larger than ${MAX_XML_BYTES / 1024} KiB: not a configuration file`);
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) throw new XmlError('the file is UTF-16: save it as UTF-8');
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const enc = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/.exec(head)?.[1]?.toLowerCase();
  if (enc && !['utf-8', 'utf8', 'iso-8859-1', 'latin1', 'us-ascii', 'ascii'].includes(enc)) throw new XmlError(`the file's encoding "${enc.slice(0, 40)}" is not supported: save it as UTF-8`);
  const latin = enc === 'iso-8859-1' || enc === 'latin1';
  try {
    return new TextDecoder(latin ? 'latin1' : 'utf-8', { fatal: !latin, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new XmlError('the file is not valid UTF-8 text');
  }
}

/** Parses a whole document and returns its root element. */
export function parseXml(text: string): XmlElement {
  if (text.length > MAX_XML_BYTES) throw new XmlError(`the file is larger than ${MAX_XML_BYTES / 1024} KiB: not a configuration file`);
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let line = 1;
  let count = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const advance = (to: number) => {
    for (let k = i; k < to; k++) if (text.charCodeAt(k) === 10) line++;
    i = to;
  };
  const fail = (message: string): never => {
    throw new XmlError(message, line);
  };
  const until = (token: string, what: string): number => {
    const end = text.indexOf(token, i);
    if (end < 0) fail(`unterminated ${what}`);
    return end;
  };
  const decode = (raw: string): string =>
    raw.replace(/&([^;&<\s]{0,12});?/g, (whole, ref: string) => {
      if (!whole.endsWith(';')) fail('a "&" must start an entity reference such as &amp;');
      if (ref in PREDEFINED) return PREDEFINED[ref];
      const num = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
      if (num) {
        const code = num[1] ? parseInt(num[1], 16) : Number(num[2]);
        if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) fail(`invalid character reference &${ref};`);
        return String.fromCodePoint(code);
      }
      return fail(`the entity &${ref.slice(0, 12)}; is not allowed (only &lt; &gt; &amp; &quot; &apos; and character references)`);
    });
  const addText = (s: string) => {
    const top = stack[stack.length - 1];
    if (top) top.text += s;
    else if (s.trim()) fail('text outside the root element');
  };

  while (i < n) {
    if (text.startsWith('<!--', i)) {
      const end = until('-->', 'comment');
      advance(end + 3);
    } else if (text.startsWith('<![CDATA[', i)) {
      if (!stack.length) fail('CDATA outside the root element');
      const end = until(']]>', 'CDATA section');
      addText(text.slice(i + 9, end));
      advance(end + 3);
    } else if (text.startsWith('<!', i)) {
      // <!DOCTYPE …> and anything like it: the way to entities, external files and billion laughs.
      fail('a DOCTYPE or other declaration is not allowed in this file (it could define entities)');
    } else if (text.startsWith('<?', i)) {
      const end = until('?>', 'processing instruction');
      if (root || stack.length) fail('a processing instruction after the root element starts is not allowed');
      advance(end + 2);
    } else if (text.startsWith('</', i)) {
      const end = until('>', 'end tag');
      const name = text.slice(i + 2, end).trim();
      const top = stack.pop();
      if (!top) fail(`unexpected end tag </${name.slice(0, 60)}>`);
      if (top!.name !== name) fail(`end tag </${name.slice(0, 60)}> does not match <${top!.name}>`);
      advance(end + 1);
    } else if (text[i] === '<') {
      const el = readStartTag();
      if (++count > MAX_ELEMENTS) fail(`more than ${MAX_ELEMENTS} elements`);
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el.element);
      else if (root) fail(`a second root element <${el.element.name}>`);
      else root = el.element;
      if (!el.selfClosing) {
        stack.push(el.element);
        if (stack.length > MAX_DEPTH) fail(`elements nested deeper than ${MAX_DEPTH} levels`);
      }
    } else {
      const next = text.indexOf('<', i);
      const end = next < 0 ? n : next;
      addText(decode(text.slice(i, end)));
      advance(end);
    }
  }
  if (stack.length) fail(`<${stack[stack.length - 1].name}> is not closed`);
  if (!root) throw new XmlError('the file has no XML element');
  return root;

  function readStartTag(): { element: XmlElement; selfClosing: boolean } {
    const startLine = line;
    let j = i + 1;
    const nameMatch = /^[^\s/>]+/.exec(text.slice(j, j + 200));
    const name = nameMatch?.[0] ?? '';
    if (!NAME.test(name)) fail(`invalid element name "${name.slice(0, 60)}"`);
    j += name.length;
    const attributes: Record<string, string> = {};
    for (;;) {
      while (j < n && /\s/.test(text[j])) j++;
      if (j >= n) fail(`unterminated start tag <${name}>`);
      if (text[j] === '>') {
        advance(j + 1);
        return { element: { name, attributes, children: [], text: '', line: startLine }, selfClosing: false };
      }
      if (text.startsWith('/>', j)) {
        advance(j + 2);
        return { element: { name, attributes, children: [], text: '', line: startLine }, selfClosing: true };
      }
      const attr = /^([A-Za-z_][A-Za-z0-9._:-]*)\s*=\s*(["'])/.exec(text.slice(j, j + 300));
      if (!attr) fail(`invalid attribute in <${name}>`);
      const close = text.indexOf(attr![2], j + attr![0].length);
      if (close < 0) fail(`unterminated attribute value in <${name}>`);
      const raw = text.slice(j + attr![0].length, close);
      if (raw.includes('<')) fail(`"<" in an attribute value of <${name}>`);
      if (attr![1] in attributes) fail(`attribute ${attr![1]} repeated in <${name}>`);
      attributes[attr![1]] = decode(raw);
      j = close + 1;
    }
  }
}

/** The child elements named `name`. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
