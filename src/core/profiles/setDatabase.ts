/**
 * Replaces one instance's database section in the text of a profiles file, leaving every
 * other entry exactly as it was (unknown or invalid neighbours included). The edited entry
 * is validated with the profile schema before anything is returned.
 */
import { AppError } from '../errors';
import { checkProfile, type InstanceProfile } from './schema';

export function setDatabaseInProfilesText(text: string, id: string, database: NonNullable<InstanceProfile['database']>): string {
  const data = JSON.parse(text) as { instances?: unknown };
  const entries = Array.isArray(data?.instances) ? (data.instances as Array<Record<string, unknown>>) : undefined;
  const at = entries?.findIndex((e) => !!e && typeof e === 'object' && e.id === id) ?? -1;
  if (!entries || at < 0) throw new AppError('input', `No instance with id ${JSON.stringify(id)} in the profiles file.`);
  const edited = { ...entries[at], database };
  const check = checkProfile(edited);
  if (!check.ok) throw new AppError('input', `The imported database section is not valid: ${check.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}.`);
  entries[at] = edited;
  return JSON.stringify(data, null, 2) + '\n';
}
