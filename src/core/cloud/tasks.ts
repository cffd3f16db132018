/**
 * Following an asynchronous policy task (add-users) to its end, and the failures that can
 * end it: failed, still running at the timeout, cancelled, or a task id we cannot use.
 */
import { redactor } from '../redact';
import type { Clock } from '../totp';
import type { CloudFailure, CloudResult } from './outcomes';
import { taskOutcomeFor, type TaskFailureReason, type TaskStatus } from './shapes';

export interface TaskWaitOptions {
  /** Give up (taskTimeout) after this long; default 120 s. */
  timeoutMs?: number;
  /** Between two polls; default 2 s. */
  intervalMs?: number;
  signal?: AbortSignal;
  /**
   * The e-mail addresses the task was asked to move. A finished task counts as a success
   * only when it counted successes and named none of these in failureReasons.
   */
  emails?: readonly string[];
  /** Told about every poll answer, so a UI can show progress. */
  onPoll?: (status: TaskStatus, poll: number) => void;
}

export const DEFAULT_TASK_WAIT = { timeoutMs: 120_000, intervalMs: 2_000 } as const;

/** Polls that fail for a transient reason (network, 5xx) in a row before we stop waiting. */
const MAX_TRANSIENT_POLL_FAILURES = 3;

/**
 * Polls a task until it is done (ok), failed (taskFailed), or still running after the
 * timeout (taskTimeout: the change may still be applied later). A few transient poll
 * failures in a row (network, 5xx) are waited out; anything else ends the wait.
 */
export async function waitForTask(
  taskStatus: (taskId: string, signal?: AbortSignal) => Promise<CloudResult<TaskStatus>>,
  clock: Clock,
  taskId: string,
  options: TaskWaitOptions = {},
): Promise<CloudResult<TaskStatus>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TASK_WAIT.timeoutMs;
  const intervalMs = options.intervalMs ?? DEFAULT_TASK_WAIT.intervalMs;
  const start = clock.now();
  let transient = 0;
  let last: TaskStatus | undefined;
  for (let poll = 1; ; poll++) {
    const r = await taskStatus(taskId, options.signal);
    const timeLeft = timeoutMs - (clock.now() - start);
    if (!r.ok) {
      const o = r.outcome;
      const blip = o.failure === 'unreachable' && o.kind !== 'unexpectedShape' && o.kind !== 'cancelled';
      if (!blip || transient >= MAX_TRANSIENT_POLL_FAILURES || timeLeft < intervalMs) {
        // The task was started: whether it did anything is now unknown.
        return { ok: false, outcome: { ...o, mayHaveArrived: true } };
      }
      transient += 1;
    } else {
      transient = 0;
      last = r.value;
      options.onPoll?.(r.value, poll);
      if (r.value.state === 'done') {
        const end = taskOutcomeFor(r.value, options.emails ?? []);
        return end.moved ? r : { ok: false, outcome: taskFailed(r.value, end.reasons) };
      }
      if (timeLeft < intervalMs) return { ok: false, outcome: taskTimeout(taskId, last, timeoutMs) };
    }
    try {
      await clock.sleep(intervalMs, options.signal);
    } catch {
      return { ok: false, outcome: cancelled(true) };
    }
  }
}

/**
 * A finished task that did not move the user: the API's own words (details.title and
 * details.detail) as the server message, and details.status as the HTTP status.
 */
export function taskFailed(t: TaskStatus, reasons: readonly TaskFailureReason[]): CloudFailure {
  const words = reasons.map((r) => [r.title, r.detail].filter(Boolean).join(': ')).filter(Boolean).join('; ');
  const status = reasons.find((r) => r.status !== undefined)?.status;
  const who = [...new Set(reasons.flatMap((r) => r.emails))].join(', ');
  const why = reasons.length
    ? `failed${who ? ` for ${who}` : ''}`
    : `ended with ${t.successCount} success(es) and ${t.failureCount} failure(s), none naming the user`;
  return {
    ok: false,
    kind: 'taskFailed',
    failure: 'refused',
    ...(status !== undefined ? { status } : {}),
    ...(words ? { serverMessage: redactor.redact(words.slice(0, 600)) } : {}),
    summary: redactor.redact(`The policy change (task ${t.taskId}) ${why}`.slice(0, 600) + '.'),
    next: 'The user\'s policy was not changed as far as the API says. Check that the account is managed by this organization and the e-mail address is its current one, then try again.',
  };
}

/** "1 in progress, 0 moved, 0 failed": a poll answer in words, for progress lines. */
export function taskProgressText(t: TaskStatus): string {
  return `${t.inProgressCount} in progress, ${t.successCount} moved, ${t.failureCount} failed`;
}

export function taskTimeout(taskId: string, last: TaskStatus | undefined, timeoutMs: number): CloudFailure {
  return {
    ok: false,
    kind: 'taskTimeout',
    failure: 'unreachable',
    mayHaveArrived: true,
    summary: `The policy change (task ${taskId}) was still running${last ? ` (${last.inProgressCount} in progress)` : ''} after ${Math.round(timeoutMs / 1000)} s.`,
    next: 'Atlassian may still apply it: check the user\'s authentication policy in admin.atlassian.com before trying again.',
  };
}

export function cancelled(mayHaveArrived: boolean): CloudFailure {
  return {
    ok: false,
    kind: 'cancelled',
    failure: 'refused',
    summary: 'Cancelled.',
    next: mayHaveArrived ? 'A change may already have been started: check the user\'s authentication policy in admin.atlassian.com.' : 'Nothing was changed; start again when ready.',
    ...(mayHaveArrived ? { mayHaveArrived: true } : {}),
  };
}

export function unexpectedTaskId(taskId: string, problem: string): CloudFailure {
  return { ok: false, kind: 'unexpectedShape', failure: 'unreachable', summary: `Unexpected response shape: the API returned task id "${taskId.slice(0, 60)}" (${problem}).`,
    next: 'Check the user\'s authentication policy in admin.atlassian.com; report this answer.', received: redactor.redact(taskId.slice(0, 200)), mayHaveArrived: true };
}
