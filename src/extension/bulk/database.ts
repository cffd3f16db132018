/**
 * A database session for one bulk step: opened with the instance's database password from
 * SecretStorage, closed when the step ends. (Written here because the extension had no
 * shared database-session helper on this branch; the Database node's session service can
 * replace it: same shape as its `use(profile, fn)`.)
 */
import { AppError } from '../../core/errors';
import { connectDatabase } from '../../core/db/connect';
import type { Driver } from '../../core/db/types';
import type { InstanceProfile } from '../../core/profiles/schema';
import type { SecretStore } from '../../core/secrets';

export async function withDatabase<T>(secrets: Pick<SecretStore, 'get'>, profile: InstanceProfile, fn: (driver: Driver) => Promise<T>): Promise<T> {
  const db = profile.database;
  if (!db) throw new AppError('input', `"${profile.name}" has no database connection configured.`, 'Add a database section in Edit Instance, or use REST.');
  const password = await secrets.get(profile.id, 'dbPassword');
  const driver = await connectDatabase(db, password, { applicationName: 'jira2fa-vscode' });
  try {
    return await fn(driver);
  } finally {
    await driver.close();
  }
}
