/** The key two names of the same account share (Atlassian's lower_user_name). */
export function userKeyOf(username: string): string {
  return username.normalize('NFC').toLowerCase();
}
