/**
 * The request behind a 2SV-changing CLI command (issue: recovery requests): --ticket, --reason,
 * --verified, --verified-note, --i-verified; the gate that reads tickets on the ticket instance
 * with that instance's own credentials; and how the ticket comment went.
 */
import type { Command } from 'commander';
import type { AuditEntry } from '../core/audit/types';
import { createJiraClient } from '../core/jira/client';
import type { CommentResult, PreparedRequest, RequestGateDeps } from '../core/requests/gate';
import type { RequestInput } from '../core/requests/policy';
import type { CliContext } from './context';

export interface RequestOptions {
  ticket?: string;
  reason?: string;
  verified?: string;
  verifiedNote?: string;
  iVerified?: string;
}

export function addRequestOptions(cmd: Command): Command {
  return cmd
    .option('--ticket <key>', 'the ticket that asked for this (e.g. HELP-123); checked on the ticket instance')
    .option('--reason <text>', 'why, when there is no ticket')
    .option('--verified <method>', 'how the requester\'s identity was verified (e.g. "Video call with photo ID")')
    .option('--verified-note <text>', 'a note on the verification')
    .option('--i-verified <reason>', 'go on although the ticket check warned (reporter is someone else, an old ticket): why');
}

export function requestFrom(o: RequestOptions): RequestInput | undefined {
  const r: RequestInput = {
    ...(o.ticket !== undefined ? { ticket: o.ticket } : {}),
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.verified !== undefined ? { verification: o.verified } : {}),
    ...(o.verifiedNote !== undefined ? { verificationNote: o.verifiedNote } : {}),
    ...(o.iVerified !== undefined ? { override: o.iVerified } : {}),
  };
  return Object.keys(r).length ? r : undefined;
}

/** Tickets are read with a client made for the one call and closed after it. */
export function requestGate(ctx: CliContext): RequestGateDeps {
  return {
    profileOf: (id) => ctx.getProfile(id).catch(() => undefined),
    withClient: async (profile, fn) => {
      const client = await createJiraClient(profile, ctx.secrets());
      try {
        return await fn(client);
      } finally {
        await client.close();
      }
    },
  };
}

/** What the CLI says about the comment, and what --json carries. */
export function commentReporter(ctx: CliContext): { onComment: (r: CommentResult, entry: AuditEntry, prepared: PreparedRequest) => void; json(): Record<string, unknown> | null } {
  let said: Record<string, unknown> | null = null;
  return {
    onComment: (r, entry, prepared) => {
      said = { ticket: prepared.check?.ticket.key ?? null, commented: r.posted, ...(r.posted ? { commentId: r.id } : {}), ...(!r.posted && r.why === 'failed' ? { error: r.error } : {}), auditId: entry.id };
      if (r.posted) ctx.err(`Internal comment added to ${r.ticket}.`);
      else if (r.why === 'failed') ctx.warn(`${r.error} (the action stands; add the comment by hand, or run "jira2fa audit comment --entry ${entry.id}")`);
    },
    json: () => said,
  };
}
