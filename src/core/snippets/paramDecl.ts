/**
 * @param declarations in a snippet header: splits the value into words (quoted label kept whole)
 * and turns it into a SnippetParam, reporting each problem on the directive's line.
 */
import { PARAM_TYPES, type ParamType, type SnippetParam } from './types';

const PARAM_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Splits `a "quoted text" b=c d="e f"` into words, keeping quoted parts whole. */
function words(value: string): { words: string[]; error?: string } {
  const out: string[] = [];
  const re = /\s*(?:([A-Za-z][A-Za-z0-9]*=)?"((?:[^"\\]|\\.)*)"|(\S+))/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(value))) {
    last = re.lastIndex;
    if (m[2] !== undefined) out.push(`${m[1] ?? ''}\u0001${m[2].replace(/\\(.)/g, '$1')}`);
    else out.push(m[3]);
  }
  if (value.slice(last).trim()) return { words: out, error: 'unterminated quoted text' };
  return { words: out };
}

const unquote = (w: string) => (w.includes('\u0001') ? w.replace('\u0001', '') : w);
const isQuoted = (w: string) => w.startsWith('\u0001');

/** Reports an error on a line of the snippet (the caller fills in the columns). */
type ReportError = (line: number, message: string) => void;

export function parseParam(value: string, line: number, err: ReportError): SnippetParam | undefined {
  const { words: w, error } = words(value);
  if (error) {
    err(line, `@param: ${error}`);
    return undefined;
  }
  const [name, type, label, ...rest] = w;
  const usage = '@param needs: name type "Label" [default=…] [min=…] [max=…] [maxLength=…] [optional]';
  if (!name || !type || label === undefined || !isQuoted(label)) {
    err(line, usage);
    return undefined;
  }
  if (!PARAM_NAME_RE.test(name)) {
    err(line, `@param: "${name}" is not a valid parameter name (letters, digits, _; not starting with a digit)`);
    return undefined;
  }
  if (!(PARAM_TYPES as readonly string[]).includes(type)) {
    err(line, `@param ${name}: unknown type "${type}" (expected ${PARAM_TYPES.join(', ')})`);
    return undefined;
  }
  const p: SnippetParam = { name, type: type as ParamType, label: unquote(label), optional: false, line };
  if (!p.label.trim()) err(line, `@param ${name}: the label is empty`);
  for (const opt of rest) {
    const plain = unquote(opt);
    if (plain === 'optional') {
      p.optional = true;
      continue;
    }
    const m = /^(default|min|max|maxLength)=(.*)$/s.exec(plain);
    if (!m) {
      err(line, `@param ${name}: unknown option "${plain}"`);
      continue;
    }
    const [, key, v] = m;
    if (key === 'default') {
      if (p.type === 'integer') {
        if (!/^-?\d+$/.test(v)) err(line, `@param ${name}: default must be a whole number`);
        else p.default = Number(v);
      } else if (p.type === 'boolean') {
        if (v !== 'true' && v !== 'false') err(line, `@param ${name}: default must be true or false`);
        else p.default = v === 'true';
      } else if (p.type === 'string[]') err(line, `@param ${name}: a list parameter has no default`);
      else p.default = v;
      continue;
    }
    if (!/^-?\d+$/.test(v)) {
      err(line, `@param ${name}: ${key} must be a whole number`);
      continue;
    }
    const num = Number(v);
    if (key === 'maxLength') {
      if (p.type !== 'string' && p.type !== 'string[]') err(line, `@param ${name}: maxLength is only for string parameters`);
      else if (num < 1) err(line, `@param ${name}: maxLength must be at least 1`);
      else p.maxLength = num;
    } else {
      if (p.type !== 'integer') err(line, `@param ${name}: ${key} is only for integer parameters`);
      else p[key as 'min' | 'max'] = num;
    }
  }
  if (p.min !== undefined && p.max !== undefined && p.min > p.max) err(line, `@param ${name}: min is greater than max`);
  if (typeof p.default === 'number' && ((p.min !== undefined && p.default < p.min) || (p.max !== undefined && p.default > p.max))) {
    err(line, `@param ${name}: the default is outside min..max`);
  }
  return p;
}
