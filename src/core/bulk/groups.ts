/**
 * The user list of a bulk run taken from Jira/Confluence groups instead of a pasted list:
 *  - "members of groups": every active member of the named groups, each user once;
 *  - "everyone enrolled except members of groups": the enrolled users the database lists,
 *    less the members of the named groups.
 * The admin's own account is always left out (an admin cannot remove their own 2SV, and
 * locking yourself out mid-run helps nobody), and every user left out is listed with the
 * reason, so the preview shows exactly who was chosen and who was not.
 */
import { AppError } from '../errors';
import { usernameProblem } from '../jira/paths';
import { printable } from '../printable';
import { userKeyOf } from '../userKey';
import type { ListedUser, ListProblem, UserList } from './userList';

export interface GroupSelection {
  /** Members of these groups (the "members of groups" source). */
  groups: string[];
  /** With `allEnrolled`: members of these groups are left out. */
  exceptGroups: string[];
  /** Every enrolled user (from the database) instead of group members. */
  allEnrolled: boolean;
}

export interface GroupCount {
  name: string;
  members: number;
}

export interface ExcludedUser {
  username: string;
  reason: string;
}

/** What the preview and the report say about where the users came from. */
export interface GroupSource {
  kind: 'groups' | 'all-enrolled';
  groups: GroupCount[];
  exceptGroups: GroupCount[];
  /** all-enrolled: how many enrolled users the database listed. */
  enrolled?: number;
  excluded: ExcludedUser[];
}

export interface GroupSourceDeps {
  /** Active members' user names; throws AppError('input') for an unknown group. */
  members(group: string): Promise<string[]>;
  /** User names of every enrolled user (all-enrolled only). */
  enrolled?(): Promise<string[]>;
  /** The signed-in admin's user name. */
  admin: string;
}

/** Checks the selection before anything is asked of a server. */
export function checkGroupSelection(sel: GroupSelection): void {
  if (sel.allEnrolled && sel.groups.length) throw new AppError('input', 'Give either groups to include or "all enrolled" with groups to leave out, not both.', 'Use --group NAME, or --all-enrolled --except-group NAME.');
  if (!sel.allEnrolled && sel.exceptGroups.length) throw new AppError('input', 'Groups to leave out go with "all enrolled".', 'Use --all-enrolled --except-group NAME.');
  if (!sel.allEnrolled && !sel.groups.length) throw new AppError('input', 'Name at least one group.', 'Use --group NAME (repeatable).');
  const names = [...sel.groups, ...sel.exceptGroups];
  for (const g of names) {
    if (!g.trim()) throw new AppError('input', 'A group name is empty.');
  }
  const dup = names.find((g, i) => names.findIndex((h) => userKeyOf(h) === userKeyOf(g)) !== i);
  if (dup) throw new AppError('input', `The group "${printable(dup)}" is named twice.`);
}

/** Builds the run's user list from groups; throws AppError('input') when it would be empty. */
export async function usersFromGroups(sel: GroupSelection, deps: GroupSourceDeps): Promise<{ list: UserList; source: GroupSource }> {
  checkGroupSelection(sel);
  const adminKey = userKeyOf(deps.admin);
  const excluded: ExcludedUser[] = [];
  const users: ListedUser[] = [];
  const problems: ListProblem[] = [];
  const seen = new Set<string>();
  const add = (username: string) => {
    const key = userKeyOf(username);
    if (seen.has(key)) return;
    seen.add(key);
    if (key === adminKey) return void excluded.push({ username, reason: 'your own account: an admin cannot remove their own two-step verification' });
    const problem = usernameProblem(username);
    if (problem) return void problems.push({ line: users.length + problems.length + 1, kind: 'invalid', text: printable(username), message: problem });
    users.push({ username, line: users.length + problems.length + 1 });
  };

  const source: GroupSource = { kind: sel.allEnrolled ? 'all-enrolled' : 'groups', groups: [], exceptGroups: [], excluded };
  if (!sel.allEnrolled) {
    for (const group of sel.groups) {
      const members = await deps.members(group);
      source.groups.push({ name: group, members: members.length });
      for (const m of members) add(m);
    }
  } else {
    if (!deps.enrolled) throw new AppError('input', '"All enrolled" needs the instance database: only the database lists who has two-step verification.', 'Add a database connection to the instance, or name the groups to include.');
    const leaveOut = new Map<string, string>();
    for (const group of sel.exceptGroups) {
      const members = await deps.members(group);
      source.exceptGroups.push({ name: group, members: members.length });
      for (const m of members) if (!leaveOut.has(userKeyOf(m))) leaveOut.set(userKeyOf(m), group);
    }
    const enrolled = await deps.enrolled();
    source.enrolled = enrolled.length;
    for (const username of enrolled) {
      const group = leaveOut.get(userKeyOf(username));
      if (group !== undefined && !seen.has(userKeyOf(username))) {
        seen.add(userKeyOf(username));
        excluded.push({ username, reason: `member of "${group}"` });
      } else add(username);
    }
  }
  if (!users.length) {
    const counts = [...source.groups, ...source.exceptGroups].map((g) => `"${printable(g.name)}": ${g.members}`).join(', ');
    throw new AppError('input', `The groups give no user to change (${sel.allEnrolled ? `${source.enrolled} enrolled, ` : ''}${counts}${excluded.length ? `, ${excluded.length} left out` : ''}).`, 'Check the group names, or give the users as a list.');
  }
  return { list: { format: 'lines', users, problems }, source };
}

/** "jira-users (120), helpdesk (8)" for a preview line. */
export function describeGroupSource(source: GroupSource): string {
  const list = (gs: GroupCount[]) => gs.map((g) => `${printable(g.name)} (${g.members})`).join(', ');
  const base = source.kind === 'groups' ? `members of ${list(source.groups)}` : `${source.enrolled ?? 0} enrolled users except members of ${list(source.exceptGroups) || 'no group'}`;
  return `${base}${source.excluded.length ? `; ${source.excluded.length} left out` : ''}`;
}
