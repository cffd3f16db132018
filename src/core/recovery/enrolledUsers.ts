/**
 * Every user with two-step verification set up, from the product's database: the built-in
 * `<product>.list-enrolled` snippet, page after page, in ONE read-only transaction so the list
 * is one consistent picture. Used by bulk "everyone enrolled except members of groups".
 */
import { AppError } from '../errors';
import type { Product } from '../profiles/schema';
import { dialectOf } from '../db/dialect';
import { resolveTableSpellings } from '../db/tables';
import type { Driver } from '../db/types';
import { builtinSnippet } from '../snippets/catalogue';
import { aoTablesOf, renderSnippet } from '../snippets/render';

const PAGE = 1000;

export async function listEnrolledUsernames(driver: Driver, product: Product): Promise<string[]> {
  if (product !== 'jira' && product !== 'confluence') {
    throw new AppError('input', `The user mapping of ${product} is not known, so its enrolled users cannot be listed from the database.`);
  }
  const snippet = await builtinSnippet(`${product}.list-enrolled`);
  const dialect = dialectOf(driver.name);
  return driver.transaction(
    async (tx) => {
      const tables = await resolveTableSpellings(tx, dialect, aoTablesOf(snippet));
      const statement = renderSnippet(snippet, dialect, { tables }).statement;
      const names: string[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await tx.query(statement, { limit: PAGE, offset });
        const at = page.columns.findIndex((c) => c.name.toLowerCase() === 'username');
        if (at < 0) throw new AppError('refused', `${snippet.name} returned no "username" column.`);
        for (const row of page.rows) if (row[at] !== null && row[at] !== undefined) names.push(String(row[at]));
        if (page.rows.length < PAGE) return names;
      }
    },
    { readOnly: true },
  );
}
