/**
 * The User-Agent every request carries, so instance admins can tell our calls apart in
 * their access logs. The version comes from package.json (bundled by esbuild, read by tsx).
 */
import { version as packageVersion } from '../../../package.json';

export function userAgent(version: string = packageVersion): string {
  return `jira-2fa-admin/${version}`;
}
