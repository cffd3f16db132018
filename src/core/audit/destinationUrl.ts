/**
 * What the URLs of the team audit destinations ($JIRA2FA_AUDIT_STORE, $JIRA2FA_AUDIT_SYSLOG)
 * have in common: parsing, with the destination's own error, and the host as a name.
 */
import type { AppError } from '../errors';

/** The URL in `text`, or `bad('it is not a URL')` thrown. */
export function parseDestinationUrl(text: string, bad: (message: string) => AppError): URL {
  try {
    return new URL(text.trim());
  } catch {
    throw bad('it is not a URL');
  }
}

/** The URL's host without the brackets of an IPv6 address. */
export function hostOfUrl(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}
