/**
 * What usersFromGroups() needs, asked of a Data Center instance: group members through its
 * REST API, the admin's own user name (who am I), and, when a database is open, every
 * enrolled user. A failed request becomes an AppError that says what the server answered.
 */
import { AppError } from '../errors';
import type { JiraClient } from '../jira/client';
import { describeOutcome, type FailedOutcome } from '../jira/outcomes';
import { printable } from '../printable';
import type { GroupSourceDeps } from './groups';

function failed(o: FailedOutcome): AppError {
  return new AppError(o.failure, describeOutcome(o));
}

export async function groupSourceDeps(client: JiraClient, enrolled?: () => Promise<string[]>, signal?: AbortSignal): Promise<GroupSourceDeps> {
  const me = await client.myself(signal);
  if (!me.ok) throw failed(me.outcome);
  return {
    admin: me.value.username,
    ...(enrolled ? { enrolled } : {}),
    members: async (group) => {
      const r = await client.groupMembers(group, signal);
      if (!r.ok) throw failed(r.outcome);
      if (!r.value.found) throw new AppError('input', `There is no group "${printable(group)}" on ${printable(client.profile.name)}.`, 'Check the group name (group names are matched exactly, as the product shows them).');
      return r.value.members.map((m) => m.username);
    },
  };
}
