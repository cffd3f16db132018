/**
 * Why a Cloud user locked out by two-step verification cannot simply be reset, and what to
 * do: the "no reset option" case of docs reference section 3. The admin hub offers "Reset
 * two-step verification" only when the user's authentication policy does not enforce 2SV
 * and the user has completed enrollment. Otherwise the documented fix is to move the user
 * to a policy where 2SV is optional, reset / let them re-enroll, and move them back.
 *
 * diagnose() is pure (user + policies + membership → Diagnosis); findAndDiagnose() gathers
 * those from the API for a search and diagnoses every user found. Whatever the API could not
 * tell (which policy a user is in, whether a policy enforces 2SV) is said so explicitly.
 */
import type { CloudAdminClient, FoundUsers } from './client';
import type { CloudResult } from './outcomes';
import { hubOrgLink, hubUserLink, sameEmail } from './paths';
import type { CloudPolicy, CloudUser } from './shapes';
import type { PendingMove } from './tracker';

export type DiagnosisCode =
  /** 2SV on, the policy does not enforce it: reset in the admin hub (no API does it). */
  | 'reset-in-hub'
  /** 2SV on, the policy enforces it: no reset option; move to a policy where it is optional. */
  | 'policy-enforces'
  /** 2SV off while the policy enforces it: enrollment never completed, nothing to reset. */
  | 'never-enrolled'
  /** Only one authentication policy (Standard plan): relax its enforcement temporarily. */
  | 'single-policy'
  /** The account is not managed by the organization: nothing can be done from here. */
  | 'not-managed'
  /** 2SV off and not enforced: 2SV is not what blocks the user. */
  | 'no-2sv-required'
  /** The API did not tell the user's policy, or whether that policy enforces 2SV. */
  | 'undetermined';

export type PolicyMembership =
  | { known: true; policyId: string; source: 'api' | 'only-policy' | 'admin' }
  | { known: false; reason: string };

export interface DiagnosisInput {
  orgId: string;
  user: CloudUser;
  /** The organization's authentication policies. */
  policies: readonly CloudPolicy[];
  membership: PolicyMembership;
  /** The user's entry in the move tracker, when they were moved by us and not moved back. */
  pending?: PendingMove;
}

export interface Diagnosis {
  code: DiagnosisCode;
  /** One line: what is going on. */
  summary: string;
  /** What to do next, one to three sentences. */
  next: string;
  /** The user's page in the admin hub (where 2SV is reset). */
  hubLink: string;
  /** The organization's admin hub (Security → Authentication policies). */
  hubOrgLink: string;
  currentPolicy?: CloudPolicy;
  /**
   * Policies the user may be moved to temporarily: every policy but the current one that is
   * not known to enforce 2SV. "optional" ones first; "unknown" ones are listed with a note.
   */
  targets: CloudPolicy[];
  /** Whether offering the move makes sense now. */
  canMove: boolean;
  pending?: PendingMove;
  /** Extra facts: unknowns, pending move, unverified targets. */
  notes: string[];
}

export function diagnose(input: DiagnosisInput): Diagnosis {
  const { orgId, user, policies, membership, pending } = input;
  const who = user.email ?? user.name ?? user.accountId;
  const currentPolicy = membership.known ? policies.find((p) => p.id === membership.policyId) : undefined;
  const targets = policies
    .filter((p) => p.id !== currentPolicy?.id && p.twoStepVerification !== 'enforced' && (!membership.known || p.id !== membership.policyId))
    .sort((a, b) => rank(a) - rank(b));
  const notes: string[] = [];
  for (const t of targets) {
    if (t.twoStepVerification === 'unknown' && t.designation !== 'recovery') notes.push(`Whether "${t.name}" enforces 2SV is not given by the API: check it in the admin hub before moving anyone there.`);
  }
  if (pending) {
    notes.push(`${who} was moved from policy ${pending.fromPolicyName ?? pending.fromPolicyId} to ${pending.toPolicyName ?? pending.toPolicyId} on ${pending.movedAt}${pending.state === 'unconfirmed' ? ' (the move was not confirmed)' : ''}: move them back once they can sign in.`);
  }
  if (user.mfaEnabled === undefined) notes.push(`The API did not say whether ${who} has 2SV on.`);
  const base = { hubLink: hubUserLink(orgId, user.accountId), hubOrgLink: hubOrgLink(orgId), ...(currentPolicy ? { currentPolicy } : {}), ...(pending ? { pending } : {}), notes };
  const moveBackHint = pending ? ` Then move them back to ${pending.fromPolicyName ?? pending.fromPolicyId}.` : '';
  const movable = (code: DiagnosisCode) => user.managed !== false && !pending && targets.length > 0 && ['policy-enforces', 'never-enrolled', 'undetermined'].includes(code);
  // Name the policies known to be optional; others only when there is nothing better, flagged.
  const optional = targets.filter((t) => t.twoStepVerification === 'optional' || t.designation === 'recovery');
  const targetNames = optional.length
    ? optional.map((t) => `"${t.name}"${t.designation === 'recovery' ? ' (your recovery policy)' : ''}`).join(', ')
    : targets.map((t) => `"${t.name}" (2SV enforcement not given by the API: check it first)`).join(', ');
  const noTarget = 'No other authentication policy has optional 2SV: create one in the admin hub (Security → Authentication policies), or relax enforcement temporarily.';

  if (user.managed === false) {
    return { ...base, code: 'not-managed', targets: [], canMove: false,
      summary: `${who} is not a managed account of this organization: its authentication policy and 2SV cannot be changed here.`,
      next: 'The user recovers through their own Atlassian account (backup code, or "Can\'t log in?" at id.atlassian.com) or Atlassian support. Verify and claim their e-mail domain to manage such accounts.' };
  }
  if (policies.length === 1) {
    const only = policies[0];
    return { ...base, code: 'single-policy', currentPolicy: only, targets: [], canMove: false,
      summary: `This organization has a single authentication policy ("${only.name}", Standard plan): there is no other policy to move ${who} to.`,
      next: `In the admin hub (Security → Authentication policies → "${only.name}") turn mandatory two-step verification off for a short time, let ${who} ${user.mfaEnabled ? 'reset and set up 2SV again' : 'sign in and set up 2SV'}, then turn enforcement back on at once: while it is off it is off for everyone in the policy.` };
  }
  if (!membership.known || !currentPolicy) {
    const why = !membership.known ? membership.reason : `the API named policy ${membership.policyId}, which is not in the policy list`;
    const code: DiagnosisCode = 'undetermined';
    return { ...base, code, targets, canMove: movable(code),
      summary: `Could not tell which authentication policy ${who} is in: ${why}.`,
      next: `Open ${who} in the admin hub (${base.hubLink}): if "Reset two-step verification" is offered, use it; if it is missing, their policy enforces 2SV. Then move them to a policy where 2SV is optional${targets.length ? ` (${targetNames})` : ''}, naming their current policy so they can be moved back.` };
  }
  const policyName = `"${currentPolicy.name}"`;
  const currentEnforcement = enforcementFor(currentPolicy);
  if (currentEnforcement === 'unknown') {
    const code: DiagnosisCode = 'undetermined';
    return { ...base, code, targets, canMove: movable(code),
      summary: `${who} is in ${policyName}; whether it enforces 2SV is not given by the API.`,
      next: `Open ${who} in the admin hub (${base.hubLink}): if "Reset two-step verification" is offered, use it; if it is missing, the policy enforces 2SV: move them to a policy where it is optional${targets.length ? ` (${targetNames})` : ''}.` };
  }
  if (currentEnforcement === 'enforced') {
    const code: DiagnosisCode = user.mfaEnabled === false ? 'never-enrolled' : 'policy-enforces';
    const summary = code === 'never-enrolled'
      ? `${who} has no 2SV set up, but ${policyName} enforces it: enrollment was never completed, so there is nothing to reset.`
      : `${who} has 2SV on and is in ${policyName}, which enforces 2SV: that is why the admin hub shows no reset option.`;
    const next = !targets.length ? noTarget
      : code === 'never-enrolled'
        ? `Move ${who} to a policy where 2SV is optional (${targetNames}) so they can sign in, let them set up 2SV, then move them back.`
        : `Move ${who} to a policy where 2SV is optional (${targetNames}), reset their 2SV in the admin hub (${base.hubLink}), let them sign in and set it up again, then move them back.`;
    const stale = pending
      ? `This tool recorded a move to ${pending.toPolicyName ?? pending.toPolicyId} on ${pending.movedAt}, but the API shows ${who} in ${policyName}: the move did not take effect or was undone. Run the move back to clear the record, then move again.`
      : undefined;
    return { ...base, code, targets, canMove: movable(code), summary, next: stale ?? next };
  }
  // The policy does not enforce 2SV.
  if (user.mfaEnabled === false) {
    return { ...base, code: 'no-2sv-required', targets, canMove: false,
      summary: `${who} has no 2SV and ${policyName} does not require it: two-step verification is not what blocks the sign-in.`,
      next: `Check the password, the identity provider (SSO) and whether the account is suspended.${moveBackHint}` };
  }
  return { ...base, code: 'reset-in-hub', targets, canMove: false,
    summary: `${who} ${user.mfaEnabled ? 'has 2SV on' : 'may have 2SV on'} and is in ${policyName}, where 2SV is optional: the admin hub offers "Reset two-step verification".`,
    next: `Open ${who} in the admin hub and choose "Reset two-step verification": ${base.hubLink} (no API can reset 2SV).${moveBackHint}` };
}

/**
 * 2SV enforcement as far as it is known: a documented field would say it (none does today);
 * otherwise the admin's designation of the recovery policy says "optional" (that is what the
 * designation means). Shown to the admin as "not given by the API" either way.
 */
export function enforcementFor(p: CloudPolicy): CloudPolicy['twoStepVerification'] {
  if (p.twoStepVerification !== 'unknown') return p.twoStepVerification;
  return p.designation === 'recovery' ? 'optional' : 'unknown';
}

/** The designated recovery policy first, then policies known to be optional, then the rest. */
function rank(p: CloudPolicy): number {
  return p.designation === 'recovery' ? 0 : p.twoStepVerification === 'optional' ? 1 : 2;
}

// ---- search + diagnosis ----

export type CloudLookupApi = Pick<CloudAdminClient, 'orgId' | 'findUsers' | 'listPolicies' | 'getPolicy' | 'policyMemberships'>;

export interface UserReport {
  user: CloudUser;
  membership: PolicyMembership;
  diagnosis: Diagnosis;
}

export interface LookupReport {
  query: string;
  matchedBy: FoundUsers['matchedBy'];
  users: UserReport[];
  /** More users match than were read: refine the query. */
  more: boolean;
  /** The organization's authentication policies. */
  policies: CloudPolicy[];
  /** Policies of other types left out of `policies`. */
  otherPolicyTypes: number;
  /** Things that could not be read but did not stop the search (shown to the user). */
  warnings: string[];
}

export interface LookupOptions {
  limit?: number;
  /** The tracker entries of this instance, to show pending moves. */
  pending?: readonly PendingMove[];
  signal?: AbortSignal;
}

/** Searches users and diagnoses each one. Fails only when policies or the search fail. */
export async function findAndDiagnose(client: CloudLookupApi, query: string, options: LookupOptions = {}): Promise<CloudResult<LookupReport>> {
  const list = await client.listPolicies(options.signal);
  if (!list.ok) return list;
  const found = await client.findUsers(query, { ...(options.limit ? { limit: options.limit } : {}), signal: options.signal });
  if (!found.ok) return found;
  const policies = [...list.value.policies];
  const warnings: string[] = [];
  if (list.value.more) warnings.push('The organization has more policies than were read; some may be missing from the list.');
  const memberships = await membershipsOf(client, found.value.users, policies, warnings, options.signal);
  const users = found.value.users.map((user) => {
    const membership = memberships.get(user.accountId) ?? { known: false as const, reason: 'unknown' };
    const pending = options.pending?.find((p) => p.accountId === user.accountId);
    return { user, membership, diagnosis: diagnose({ orgId: client.orgId, user, policies, membership, ...(pending ? { pending } : {}) }) };
  });
  return {
    ok: true,
    status: found.status,
    value: { query, matchedBy: found.value.matchedBy, users, more: found.value.more, policies, otherPolicyTypes: list.value.otherTypes, warnings },
  };
}

/**
 * Which policy each user is in. With a single policy that is the answer for everyone;
 * otherwise bulk-fetch is asked and its entries matched by e-mail (and account id when the
 * entry has one). An entry without a readable policy id, a user the answer does not list,
 * and any failure leave "unknown" with the reason: never a guess. A policy named there but
 * missing from the list is read on its own.
 */
export async function membershipsOf(client: Pick<CloudLookupApi, 'policyMemberships' | 'getPolicy'>, users: readonly CloudUser[], policies: CloudPolicy[], warnings: string[], signal?: AbortSignal): Promise<Map<string, PolicyMembership>> {
  const out = new Map<string, PolicyMembership>();
  const candidates = users.filter((u) => u.managed !== false);
  for (const u of users) if (u.managed === false) out.set(u.accountId, { known: false, reason: 'the account is not managed by this organization' });
  if (!candidates.length) return out;
  if (policies.length === 1) {
    for (const u of candidates) out.set(u.accountId, { known: true, policyId: policies[0].id, source: 'only-policy' });
    return out;
  }
  const r = await client.policyMemberships(candidates.map((u) => u.accountId), signal);
  if (!r.ok) {
    const o = r.outcome;
    const reason = `the API did not say (${o.summary}${o.serverMessage ? ` Server said: "${o.serverMessage}".` : ''}${o.received ? ` Received: ${o.received}` : ''})`;
    warnings.push(`Could not read which authentication policy the users are in: ${o.summary}`);
    for (const u of candidates) out.set(u.accountId, { known: false, reason });
    return out;
  }
  for (const u of candidates) {
    const entry = r.value.find((e) => (e.accountId ? e.accountId === u.accountId : false) || (u.email !== undefined && sameEmail(e.email, u.email) && (!e.accountId || e.accountId === u.accountId)));
    if (!entry) {
      out.set(u.accountId, { known: false, reason: 'the API did not list this user (not a managed account?)' });
      continue;
    }
    const policyId = entry.policyId;
    if (!policyId) {
      out.set(u.accountId, { known: false, reason: 'the API listed the user without a policy id it documents' });
      continue;
    }
    if (!policies.some((p) => p.id === policyId)) {
      const one = await client.getPolicy(policyId, signal);
      if (one.ok) policies.push(one.value);
      else warnings.push(`Policy ${policyId} could not be read: ${one.outcome.summary}`);
    }
    out.set(u.accountId, { known: true, policyId, source: 'api' });
  }
  return out;
}
