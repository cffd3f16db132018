/**
 * The typed confirmation of a bulk run on a production instance. A single unenroll asks for
 * the user name again; a bulk run asks for the number of users it will change, which the
 * admin can only know from the preview: it proves the preview was read, and a list that grew
 * or shrank since then does not run.
 */
import { AppError } from '../errors';
import type { InstanceProfile } from '../profiles/schema';

export function needsConfirmation(profile: Pick<InstanceProfile, 'environment'>): boolean {
  return profile.environment === 'production';
}

/** Throws AppError('refused') unless a production run is confirmed with exactly `count`. */
export function checkBulkConfirmation(profile: Pick<InstanceProfile, 'name' | 'environment'>, count: number, given: string | undefined): void {
  if (!needsConfirmation(profile)) return;
  if (given === undefined || given.trim() === '') {
    throw new AppError('refused', `${profile.name} is a production instance: confirm with the number of users to change (${count}).`, `Pass --confirm ${count} (in the editor: type ${count}).`);
  }
  if (given.trim() !== String(count)) {
    throw new AppError('refused', `The confirmation "${given.trim()}" does not match the number of users to change (${count}); nothing was changed.`, 'Run the preview again and confirm with the number it shows.');
  }
}
