/** The unenroll form's "is the user enrolled?" answer, from the instance's database when it has one. */
import { describeError } from '../../core/errors';
import type { InstanceProfile } from '../../core/profiles/schema';
import { isUserEnrolled } from '../../core/recovery/probe';
import type { Log } from '../log';
import type { DatabaseSessions } from './databaseSessions';

export function databaseEnrollmentLookup(databases: Pick<DatabaseSessions, 'use'>, log: Pick<Log, 'warn'>) {
  return async (profile: InstanceProfile, username: string): Promise<'yes' | 'no' | 'unknown'> => {
    if (!profile.database || (profile.product !== 'jira' && profile.product !== 'confluence')) return 'unknown';
    const product = profile.product;
    try {
      const status = await databases.use(profile, (d) => isUserEnrolled(d, product, username));
      return status.enrolled ? 'yes' : 'no';
    } catch (e) {
      // The REST lookup still answers; the database part is a bonus, so a failure is logged only.
      log.warn(`Enrollment lookup for ${profile.id} in its database failed: ${describeError(e)}`);
      return 'unknown';
    }
  };
}
