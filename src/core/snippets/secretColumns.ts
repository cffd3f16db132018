/**
 * Columns of a query result that hold users' second-factor secrets, found by name in the
 * result's column metadata, whatever the snippet selects (totp.*, an alias, another case,
 * a quoted or table-qualified name):
 *
 *  - a TOTP secret (SECRET, "secret", totp_secret, …): never shown, printed or exported;
 *    anyone holding it can make the user's codes;
 *  - a recovery code (RECOVERY_CODE, recovery_code, "Recovery code", …): hidden unless the
 *    admin reveals it, which is audited (recovery/reveal.ts): reading it out to a locked-out
 *    user is the recovery-code snippet's purpose, but it must not sit on a screen or in a
 *    file by accident.
 *
 * Matching is by name only: a column renamed to something unrelated (AS x) is not found.
 * SECURITY.md says so.
 */
import type { Column } from '../db/types';

export type ColumnSecrecy = 'secret' | 'recovery-code';

export const HIDDEN_SECRET = '[hidden: TOTP secret]';
export const HIDDEN_RECOVERY_CODE = '[hidden: recovery code]';

/** A column name without quotes, brackets, table prefix, case or separators: "totp"."RECOVERY_CODE" → recoverycode. */
export function bareColumnName(name: string): string {
  const last = name.trim().replace(/^[\s"'`[\]]+|[\s"'`[\]]+$/g, '').split(/["'`\]]?\.["'`[]?/).at(-1) ?? '';
  return last.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

export function columnSecrecy(name: string): ColumnSecrecy | undefined {
  const bare = bareColumnName(name);
  if (bare.includes('secret')) return 'secret';
  if (bare.includes('recoverycode')) return 'recovery-code';
  return undefined;
}

export interface RevealOptions {
  /** Show recovery codes as they are (after an audited reveal). Secrets are never shown. */
  revealRecoveryCodes?: boolean;
}

/** The rows with secret cells (and recovery codes, unless revealed) replaced by a marker; NULL stays NULL. */
export function protectRows(columns: ReadonlyArray<Pick<Column, 'name'>>, rows: unknown[][], options: RevealOptions = {}): unknown[][] {
  const hide = columns.map((c) => {
    const s = columnSecrecy(c.name);
    if (s === 'secret') return HIDDEN_SECRET;
    if (s === 'recovery-code' && !options.revealRecoveryCodes) return HIDDEN_RECOVERY_CODE;
    return undefined;
  });
  if (!hide.some(Boolean)) return rows;
  return rows.map((r) => r.map((v, i) => (hide[i] !== undefined && v !== null && v !== undefined ? hide[i] : v)));
}

/** Whether the result has recovery codes that a reveal would show. */
export function hasRecoveryCodes(columns: ReadonlyArray<Pick<Column, 'name'>>, rows: unknown[][]): boolean {
  const idx = columns.flatMap((c, i) => (columnSecrecy(c.name) === 'recovery-code' ? [i] : []));
  return idx.length > 0 && rows.some((r) => idx.some((i) => r[i] !== null && r[i] !== undefined));
}
