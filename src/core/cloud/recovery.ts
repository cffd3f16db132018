/**
 * The Cloud recovery moves, as one service for the extension and the CLI:
 *
 *   moveToTemporaryPolicy: user → a policy where 2SV is not mandatory, so the admin can reset
 *     their 2SV in the admin hub (or they can sign in and enroll);
 *   moveBack: user → the policy they came from.
 *
 * Every guard runs before any change (e-mail shape, production confirmation, the user exists
 * and is managed, the target exists and is not known to enforce 2SV, the current policy is
 * known, no move of this user is pending). A move is followed to the end of its task. The
 * tracker gets an entry when the move succeeded, or may have (task timeout, lost answer:
 * "unconfirmed"), and loses it ONLY after a move back succeeded. Every attempt, refused ones
 * included, ends in exactly one audit entry ("cloud.move" / "cloud.moveBack"); the API key is
 * never in it.
 */
import { membershipsOf } from './diagnose';
import { adminName, errorText, finish, type Attempt, type Facts, type MoveResult, type PolicyRef, type CloudMoveContext } from './moveResult';
import { guard, type CloudFailure } from './outcomes';
import { emailProblem, hubUserLink, sameEmail } from './paths';
import type { CloudPolicy } from './shapes';
import type { PendingMove } from './tracker';

export interface MoveRequest {
  /** The user's e-mail address (the add-users API takes addresses). */
  email: string;
  /**
   * The temporary policy: one where 2SV is not mandatory. Default: the recovery policy the
   * admin designated in the profile (cloud.recoveryPolicyId).
   */
  toPolicyId?: string;
  /**
   * The policy the user is in now, to move them back to. Needed only when the API cannot
   * tell (the bulk-fetch answer is not documented); refused when it contradicts the API.
   */
  fromPolicyId?: string;
  /** Production instances: the e-mail address typed again. */
  confirmation?: string;
}

export interface MoveBackRequest {
  email: string;
}


export async function moveToTemporaryPolicy(ctx: CloudMoveContext, req: MoveRequest): Promise<MoveResult> {
  const facts: Facts = { moved: 'no', tracker: 'unchanged', warnings: [] };
  const attempt = await moveAttempt(ctx, req, facts);
  return finish(ctx, 'cloud.move', req.email, attempt, facts);
}

export async function moveBack(ctx: CloudMoveContext, req: MoveBackRequest): Promise<MoveResult> {
  const facts: Facts = { moved: 'no', tracker: 'unchanged', warnings: [] };
  const attempt = await moveBackAttempt(ctx, req, facts);
  return finish(ctx, 'cloud.moveBack', req.email, attempt, facts);
}

async function moveAttempt(ctx: CloudMoveContext, req: MoveRequest, facts: Facts): Promise<Attempt> {
  const { profile, client, tracker, signal } = ctx;
  const emailIssue = emailProblem(req.email);
  if (emailIssue) return refuse(guard('email', emailIssue, 'Type the user\'s e-mail address exactly.', 'input'));
  if (profile.environment === 'production') {
    if (!req.confirmation) {
      return refuse(guard('confirmation', `${profile.name} is a production organization: type the user's e-mail address to confirm the move.`, `Type "${req.email}" in the confirmation field (CLI: --confirm).`));
    }
    if (!sameEmail(req.confirmation, req.email)) return refuse(guard('confirmation', 'The confirmation does not match the e-mail address.', `Type exactly "${req.email}" to confirm.`));
  }

  // The tracker must be readable before anything changes: a move it cannot record is refused.
  const already = await readTracker(() => tracker.find(profile.id, { email: req.email }));
  if ('outcome' in already) return refuse(already.outcome);
  if (already.value) return refuse(alreadyMoved(already.value));

  const found = await client.userByEmail(req.email, signal);
  if (!found.ok) return refuse(found.outcome);
  const user = found.value;
  if (!user) return refuse(guard('noSuchUser', `No user with the e-mail address ${req.email} was found in the organization.`, 'Check the address; "cloud find" searches by name too.', 'input'));
  facts.user = { accountId: user.accountId, email: user.email ?? req.email, ...(user.name ? { name: user.name } : {}) };
  if (user.managed === false) {
    return refuse(guard('notManaged', `${req.email} is not a managed account of this organization: its authentication policy cannot be changed.`, 'The user recovers through their own Atlassian account or Atlassian support.'));
  }
  const byId = await readTracker(() => tracker.find(profile.id, { accountId: user.accountId }));
  if ('outcome' in byId) return refuse(byId.outcome);
  if (byId.value) return refuse(alreadyMoved(byId.value));

  const list = await client.listPolicies(signal);
  if (!list.ok) return refuse(list.outcome);
  const policies = [...list.value.policies];
  if (policies.length === 1) {
    return refuse(guard('singlePolicy', `This organization has a single authentication policy ("${policies[0].name}"): there is no other policy to move ${req.email} to.`,
      'Turn mandatory 2SV off on that policy for a short time in the admin hub (Security → Authentication policies), then back on.'));
  }
  const toPolicyId = req.toPolicyId ?? profile.cloud?.recoveryPolicyId;
  if (!toPolicyId) {
    return refuse(guard('noTarget', `No temporary policy was named and ${profile.name} has no designated recovery policy.`,
      'Designate the policy with 2SV optional as the recovery policy in the instance settings (Edit Instance → Cloud organization), or name one (CLI: --to POLICY).', 'input'));
  }
  const target = policies.find((p) => p.id === toPolicyId);
  if (!target) return refuse(noSuchPolicy(toPolicyId, policies));
  facts.toPolicy = ref(target);
  if (target.twoStepVerification === 'enforced') {
    return refuse(guard('targetEnforces', `Policy "${target.name}" enforces 2SV: moving ${req.email} there would not help.`, `Choose a policy where 2SV is optional: ${optionalNames(policies) || 'none exists; create one in the admin hub'}.`));
  }
  if (target.twoStepVerification === 'unknown') {
    facts.warnings.push(target.designation === 'recovery'
      ? `"${target.name}" is your designated recovery policy; whether it enforces 2SV is not given by the API: check it in the admin hub.`
      : `Whether "${target.name}" enforces 2SV is not given by the API: check it in the admin hub.`);
  }

  const warnings: string[] = [];
  const membership = (await membershipsOf(client, [user], policies, warnings, signal)).get(user.accountId);
  let fromPolicyId: string;
  if (membership?.known) {
    facts.membershipSource = membership.source;
    if (req.fromPolicyId !== undefined && req.fromPolicyId !== membership.policyId) {
      const named = policies.find((p) => p.id === membership.policyId)?.name ?? membership.policyId;
      return refuse(guard('sourceMismatch', `You named policy ${req.fromPolicyId} as ${req.email}'s current policy, but the API says "${named}" (${membership.policyId}).`, 'Leave out the current policy, or name the one the API reports.', 'input'));
    }
    fromPolicyId = membership.policyId;
  } else if (req.fromPolicyId !== undefined) {
    facts.membershipSource = 'admin';
    fromPolicyId = req.fromPolicyId;
    facts.warnings.push(...warnings);
  } else {
    const why = membership && !membership.known ? membership.reason : 'unknown';
    return refuse(guard('unknownSource', `Could not tell which authentication policy ${req.email} is in (${why}), so they could not be moved back afterwards.`,
      `Look the policy up in the admin hub (the user's page shows it) and name it as the current policy (CLI: --from POLICY)${usualHint(policies)}.`, 'input'));
  }
  const source = policies.find((p) => p.id === fromPolicyId);
  if (!source) return refuse(noSuchPolicy(fromPolicyId, policies));
  facts.fromPolicy = ref(source);
  if (fromPolicyId === target.id) {
    return refuse(guard('samePolicy', `${req.email} is already in "${target.name}".`, `Reset their 2SV in the admin hub if it is offered: ${hubUserLink(client.orgId, user.accountId)}.`));
  }

  const started = await client.addUsersToPolicy(target.id, [facts.user.email], signal);
  if (!started.ok) {
    facts.moved = started.outcome.mayHaveArrived ? 'unknown' : 'no';
    await recordMove(ctx, facts, source, target, undefined);
    return { ok: false, outcome: started.outcome, ...(facts.moved === 'unknown' ? { next: unconfirmedNext(facts) } : {}) };
  }
  facts.taskId = started.value.taskId;
  const done = await client.waitForTask(started.value.taskId, { ...ctx.task, signal, emails: [facts.user.email] });
  facts.moved = done.ok ? 'yes' : done.outcome.kind === 'taskFailed' ? 'no' : 'unknown';
  await recordMove(ctx, facts, source, target, started.value.taskId);
  if (!done.ok) return { ok: false, outcome: done.outcome, ...(facts.moved === 'unknown' ? { next: unconfirmedNext(facts) } : {}) };
  const hub = hubUserLink(client.orgId, user.accountId);
  return {
    ok: true,
    summary: `${facts.user.email} was moved from "${source.name}" to "${target.name}"${target.twoStepVerification === 'optional' ? ', where 2SV is optional' : target.designation === 'recovery' ? ' (your recovery policy)' : ''}.`,
    next: `Reset their 2SV in the admin hub if they had it (${hub}), let them sign in and set it up again, then move them back to "${source.name}".`,
  };
}

async function moveBackAttempt(ctx: CloudMoveContext, req: MoveBackRequest, facts: Facts): Promise<Attempt> {
  const { profile, client, tracker, signal } = ctx;
  const emailIssue = emailProblem(req.email);
  if (emailIssue) return refuse(guard('email', emailIssue, 'Type the user\'s e-mail address exactly.', 'input'));
  const found = await readTracker(() => tracker.find(profile.id, { email: req.email }));
  if ('outcome' in found) return refuse(found.outcome);
  const entry = found.value;
  if (!entry) {
    return refuse(guard('notMoved', `No move of ${req.email} is recorded for ${profile.name}, so there is no policy to move them back to.`,
      'If they were moved by hand, move them back in the admin hub (Security → Authentication policies).'));
  }
  facts.entry = entry;
  facts.user = { accountId: entry.accountId, email: entry.email };
  facts.fromPolicy = { id: entry.toPolicyId, ...(entry.toPolicyName ? { name: entry.toPolicyName } : {}) };
  facts.toPolicy = { id: entry.fromPolicyId, ...(entry.fromPolicyName ? { name: entry.fromPolicyName } : {}) };
  facts.tracker = 'kept';
  const started = await client.addUsersToPolicy(entry.fromPolicyId, [entry.email], signal);
  if (!started.ok) {
    facts.moved = started.outcome.mayHaveArrived ? 'unknown' : 'no';
    return { ok: false, outcome: started.outcome, next: `${started.outcome.next} The record stays until a move back succeeds.` };
  }
  facts.taskId = started.value.taskId;
  const done = await client.waitForTask(started.value.taskId, { ...ctx.task, signal, emails: [entry.email] });
  facts.moved = done.ok ? 'yes' : done.outcome.kind === 'taskFailed' ? 'no' : 'unknown';
  if (!done.ok) return { ok: false, outcome: done.outcome, next: `${done.outcome.next} The record stays until a move back succeeds.` };
  try {
    await tracker.remove(profile.id, entry.accountId);
    facts.tracker = 'removed';
  } catch (e) {
    facts.tracker = 'failed';
    facts.trackerError = errorText(e);
  }
  const back = entry.fromPolicyName ? `"${entry.fromPolicyName}"` : `policy ${entry.fromPolicyId}`;
  return {
    ok: true,
    summary: `${entry.email} was moved back to ${back}.`,
    next: facts.trackerError
      ? `The move back worked, but the record could not be removed (${facts.trackerError}): remove it by hand.`
      : 'Their policy\'s 2SV enforcement applies again; ask them to sign in to confirm.',
  };
}

/** Records a move that happened or may have happened; a record that fails is reported. */
async function recordMove(ctx: CloudMoveContext, facts: Facts, source: CloudPolicy, target: CloudPolicy, taskId: string | undefined): Promise<void> {
  if (facts.moved === 'no' || !facts.user) return;
  const now = (ctx.clock ?? { now: Date.now }).now();
  const entry: PendingMove = {
    orgId: ctx.client.orgId,
    instanceId: ctx.profile.id,
    accountId: facts.user.accountId,
    email: facts.user.email,
    fromPolicyId: source.id,
    toPolicyId: target.id,
    movedAt: new Date(now).toISOString(),
    state: facts.moved === 'yes' ? 'moved' : 'unconfirmed',
    ...(taskId ? { taskId } : {}),
    fromPolicyName: source.name,
    toPolicyName: target.name,
    movedBy: adminName(ctx),
  };
  try {
    await ctx.tracker.record(entry);
    facts.entry = entry;
    facts.tracker = 'recorded';
  } catch (e) {
    facts.tracker = 'failed';
    facts.trackerError = errorText(e);
  }
}

function refuse(outcome: CloudFailure): Attempt {
  return { ok: false, outcome };
}

async function readTracker<T>(fn: () => Promise<T>): Promise<{ value: T } | { outcome: CloudFailure }> {
  try {
    return { value: await fn() };
  } catch (e) {
    return { outcome: guard('tracker', `The list of users waiting to be moved back cannot be read: ${errorText(e)}`, 'Nothing was changed. Fix the list first (see the message).', 'input') };
  }
}

function alreadyMoved(entry: PendingMove): CloudFailure {
  return guard('alreadyMoved', `${entry.email} was already moved to ${entry.toPolicyName ?? entry.toPolicyId} on ${entry.movedAt}${entry.state === 'unconfirmed' ? ' (not confirmed)' : ''} and not moved back yet.`,
    `Move them back to ${entry.fromPolicyName ?? entry.fromPolicyId} first (move-back), or finish the recovery in the admin hub.`);
}

function noSuchPolicy(id: string, policies: readonly CloudPolicy[]): CloudFailure {
  const known = policies.map((p) => `${p.id} ("${p.name}")`).join(', ');
  return guard('noSuchPolicy', `There is no authentication policy ${id} in this organization.`, `Known policies: ${known || '(none)'}.`, 'input');
}

function optionalNames(policies: readonly CloudPolicy[]): string {
  return policies.filter((p) => p.twoStepVerification === 'optional').map((p) => `${p.id} ("${p.name}")`).join(', ');
}

function unconfirmedNext(facts: Facts): string {
  const back = facts.fromPolicy?.name ?? facts.fromPolicy?.id ?? 'their policy';
  return `The move may still happen. It is recorded as unconfirmed so ${facts.user?.email ?? 'the user'} is not forgotten: check their policy in the admin hub, and move them back to "${back}" when the recovery is done.`;
}

function ref(p: CloudPolicy): PolicyRef {
  return { id: p.id, name: p.name, twoStepVerification: p.twoStepVerification, ...(p.designation ? { designation: p.designation } : {}) };
}

function usualHint(policies: readonly CloudPolicy[]): string {
  const usual = policies.find((p) => p.designation === 'usual');
  return usual ? `; if it is your usual policy, that is ${usual.id} ("${usual.name}")` : '';
}
