/**
 * Which instance a command works on when it was not given one: the only candidate, or a list
 * to choose from. Pure (no `vscode`), so the rule is tested on its own; instancePicker.ts asks.
 *
 * A command says which instances it can work on (`qualifies`, e.g. Data Center only, or with a
 * database). When exactly one qualifies there is nothing to choose. With several, only those
 * that qualify are offered; with none, every instance is offered (or the only one used) so that
 * the command can say why the chosen one does not fit.
 */
import type { InstanceProfile } from '../core/profiles/schema';

/** Which instances a command can work on; every instance when omitted. */
export type Qualifies = (profile: InstanceProfile) => boolean;

/** The predicates commands pass to resolveInstance(). */
export const isDataCenter: Qualifies = (p) => p.product !== 'cloud';
export const isCloud: Qualifies = (p) => p.product === 'cloud';

export type InstanceChoice = { use: InstanceProfile } | { offer: InstanceProfile[] };

export function instanceChoice(profiles: readonly InstanceProfile[], qualifies?: Qualifies): InstanceChoice {
  const fitting = qualifies ? profiles.filter(qualifies) : [...profiles];
  const candidates = fitting.length ? fitting : [...profiles];
  return candidates.length === 1 ? { use: candidates[0] } : { offer: candidates };
}
