/**
 * The read check of src/core/db/readOnlySql.ts applied when a snippet is loaded: a read
 * snippet's query, and every @backup (it runs in the read-only preview), rendered for each of
 * its dialects, must be one query. The same check runs again on the SQL as sent; here it
 * tells the author early, at the line where the problem is.
 */
import { lineColumn } from '../db/sqlText';
import { readProblem } from '../db/readOnlySql';
import type { Dialect } from '../db/types';
import type { Report } from './header';
import { renderSql } from './render';
import type { SnippetSection } from './types';

export function checkReadSections(sections: SnippetSection[], kind: 'read' | 'destructive' | undefined, dialects: Dialect[], err: Report): void {
  for (const s of sections) {
    if (s.role === 'query' && kind !== 'read') continue;
    for (const dialect of s.dialects ?? dialects) {
      let sql: string;
      try {
        sql = renderSql(s.sql, dialect);
      } catch {
        continue; // a lexing error, already reported by checkSection
      }
      const problem = readProblem(sql, dialect);
      if (!problem) continue;
      const { line } = lineColumn(sql, problem.offset);
      err(s.line + line - 1, `${s.role === 'backup' ? 'the @backup query' : 'a read'} on ${dialect}: ${problem.message}`);
      break;
    }
  }
}
