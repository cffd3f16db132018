/**
 * The server's own words, shown verbatim but made safe: one line, bounded, no control
 * characters, every known secret masked. Redaction runs before truncation so that a secret
 * cut in half by the limit cannot escape the mask.
 */
import { redactor } from '../redact';

export const MAX_SERVER_MESSAGE = 300;

export function isHtml(bodyText: string, contentType: string | undefined): boolean {
  if (contentType && /\btext\/html\b|application\/xhtml/i.test(contentType)) return true;
  return /^\s*(<!doctype html|<html[\s>])/i.test(bodyText);
}

export function isJsonType(contentType: string | undefined): boolean {
  return !!contentType && /\bapplication\/([\w.+-]*\+)?json\b/i.test(contentType);
}

/** Parses JSON; undefined when the text is not JSON at all. */
export function parseJson(text: string): unknown {
  if (!/^\s*[[{"]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The message a server put in an error body. Understands the tsv plugin's {"message"},
 * Jira's {"errorMessages": [], "errors": {}}, and falls back to an HTML <title> or the
 * first line of plain text.
 */
export function serverMessageFrom(bodyText: string, contentType: string | undefined): string | undefined {
  if (!bodyText.trim()) return undefined;
  const json = parseJson(bodyText);
  if (json !== undefined) return clean(messageOfJson(json));
  if (isHtml(bodyText, contentType)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(bodyText)?.[1];
    return clean(title ? decodeEntities(title) : undefined);
  }
  return clean(bodyText.split(/\r?\n/).find((line) => line.trim()) ?? '');
}

function messageOfJson(json: unknown): string | undefined {
  if (typeof json === 'string') return json;
  if (!json || typeof json !== 'object') return undefined;
  const o = json as Record<string, unknown>;
  for (const key of ['message', 'errorMessage', 'error_description', 'error']) {
    if (typeof o[key] === 'string' && o[key]) return o[key] as string;
  }
  const parts: string[] = [];
  if (Array.isArray(o.errorMessages)) parts.push(...o.errorMessages.filter((m): m is string => typeof m === 'string'));
  if (o.errors && typeof o.errors === 'object') {
    for (const [k, v] of Object.entries(o.errors as Record<string, unknown>)) if (typeof v === 'string') parts.push(`${k}: ${v}`);
  }
  return parts.length ? parts.join('; ') : undefined;
}

/** One safe line: controls to spaces, whitespace collapsed, redacted, then bounded. */
export function clean(text: string | undefined, max = MAX_SERVER_MESSAGE): string | undefined {
  if (text === undefined) return undefined;
  const oneLine = redactor
    .redact(text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
  if (!oneLine) return undefined;
  // Count code points, not UTF-16 units, so an emoji is never cut in half.
  const chars = [...oneLine];
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : oneLine;
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, '&');
}
