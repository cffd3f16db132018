/**
 * The product identity of a Cloud action in its audit entry. The admin API does not say whose
 * organization API key is used (docs reference section 3), so the owner comes from the profile
 * (`cloud.apiKeyOwner`, typed by the admin) and is recorded with that said: "(entered, not
 * verified)", shown as it is by the panel, the tree, the CLI and the exports, like the Jira user
 * or the database user of the other actions.
 */
import { osUser } from '../osUser';
import type { InstanceProfile } from '../profiles/schema';

export const ENTERED_NOT_VERIFIED = '(entered, not verified)';

/** An explicit admin name ($JIRA2FA_ADMIN) first, then the key's owner as entered, then the OS user. */
export function cloudIdentity(profile: Pick<InstanceProfile, 'cloud'>, explicit?: string): string {
  if (explicit) return explicit;
  const owner = profile.cloud?.apiKeyOwner?.trim();
  return owner ? `${owner} ${ENTERED_NOT_VERIFIED}` : osUser();
}
