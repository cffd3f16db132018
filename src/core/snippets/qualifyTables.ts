/**
 * SQL Server has no session setting that makes unqualified names resolve in another schema
 * (a login's default schema is an ALTER USER, not something a session may change). So when a
 * profile names database.schema, every table a snippet reads or changes is written
 * `"schema".table` in the portable SQL before rendering, which the renderer turns into
 * `[schema].[table]`.
 *
 * A table is the name right after FROM, JOIN, UPDATE, INTO or DELETE, or after a comma in a
 * FROM list. Names already qualified (`x.y`), function calls (`f(`), subqueries, CTE names
 * and T-SQL's `DELETE alias FROM …` / `UPDATE alias … FROM` aliases are left alone; an
 * `UPDATE … FROM` whose target cannot be told from an alias is refused instead of guessed.
 */
import { quoteDouble } from '../db/dialect';
import { tokenize, type Token } from '../db/sqlText';

type Piece =
  | { kind: 'word'; text: string; upper: string }
  | { kind: 'ident'; text: string; name: string }
  | { kind: 'punct'; text: string }
  | { kind: 'space'; text: string }
  | { kind: 'other'; text: string };

const KEYWORDS = new Set(
  ('SELECT FROM JOIN INNER LEFT RIGHT FULL OUTER CROSS APPLY ON WHERE GROUP BY HAVING ORDER UNION ALL EXCEPT INTERSECT ' +
    'INSERT INTO UPDATE DELETE SET VALUES OUTPUT WITH AS AND OR NOT IN EXISTS LIKE BETWEEN IS NULL CASE WHEN THEN ELSE END ' +
    'OFFSET FETCH NEXT ROWS ROW ONLY TOP DISTINCT MERGE USING MATCHED OPTION FOR').split(' '),
);
const TABLE_AFTER = new Set(['FROM', 'JOIN', 'UPDATE', 'INTO', 'DELETE', 'APPLY']);

export class QualifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QualifyError';
  }
}

function piecesOf(tokens: Token[]): Piece[] {
  const out: Piece[] = [];
  for (const t of tokens) {
    if (t.type === 'ident') out.push({ kind: 'ident', text: t.text, name: t.name });
    else if (t.type === 'comment') out.push({ kind: 'space', text: t.text });
    else if (t.type !== 'code') out.push({ kind: 'other', text: t.text });
    else {
      for (const m of t.text.matchAll(/([A-Za-z_#@][A-Za-z0-9_$#@]*)|(\s+)|([\s\S])/g)) {
        if (m[1]) out.push({ kind: 'word', text: m[1], upper: m[1].toUpperCase() });
        else if (m[2]) out.push({ kind: 'space', text: m[2] });
        else out.push({ kind: 'punct', text: m[3] });
      }
    }
  }
  return out;
}

const isName = (p: Piece | undefined): boolean => !!p && (p.kind === 'ident' || (p.kind === 'word' && !KEYWORDS.has(p.upper)));
const nameOf = (p: Piece): string => (p.kind === 'ident' ? p.name : p.text).toUpperCase();

/** Portable SQL with every table reference written `"schema".name`. Throws QualifyError where it cannot tell. */
export function qualifyTables(sql: string, schema: string): string {
  const pieces = piecesOf(tokenize(sql, 'portable'));
  const sig = pieces.map((p, i) => ({ p, i })).filter((x) => x.p.kind !== 'space');
  const at = (k: number) => sig[k]?.p;
  const word = (k: number) => (at(k)?.kind === 'word' ? (at(k) as { upper: string }).upper : undefined);

  // CTE names: `WITH name AS (` and `, name AS (`.
  const ctes = new Set<string>();
  for (let k = 0; k < sig.length; k++) {
    if (isName(at(k)) && word(k + 1) === 'AS' && at(k + 2)?.text === '(' && (word(k - 1) === 'WITH' || at(k - 1)?.text === ',')) ctes.add(nameOf(at(k)!));
  }

  const qualify = new Set<number>();
  let depth = 0;
  // Per open parenthesis: is it a function's argument list (TRIM(' ' FROM x), EXTRACT(… FROM …))?
  const calls: boolean[] = [];
  // Paren depths at which a FROM list is open (a comma there starts another table).
  const fromLists: number[] = [];
  for (let k = 0; k < sig.length; k++) {
    const p = at(k)!;
    if (p.text === '(') {
      depth++;
      const before = at(k - 1);
      calls.push(!!before && before.kind === 'word' && !KEYWORDS.has(before.upper));
    }
    if (p.text === ')') {
      depth--;
      calls.pop();
      while (fromLists.length && fromLists[fromLists.length - 1] > depth) fromLists.pop();
    }
    const w = word(k);
    if (w && KEYWORDS.has(w) && w !== 'AS' && fromLists[fromLists.length - 1] === depth) fromLists.pop();
    const afterComma = p.text === ',' && fromLists[fromLists.length - 1] === depth;
    if (!(w && TABLE_AFTER.has(w)) && !afterComma) continue;
    if (w === 'DELETE' && word(k + 1) === 'FROM') continue;
    if (w === 'FROM' && calls[calls.length - 1]) continue; // a FROM among a function's arguments
    if (w === 'INSERT') continue;
    const target = k + 1;
    if (!isName(at(target))) continue; // a subquery, TOP (…), a keyword
    if (/^[#@]/.test(at(target)!.text)) continue; // a temporary table or a table variable
    if (at(target + 1)?.text === '.') continue; // already qualified
    // A name and "(" after FROM/JOIN/APPLY is a function call; after INTO it is the column list.
    if (at(target + 1)?.text === '(' && w !== 'INTO') continue;
    if (ctes.has(nameOf(at(target)!))) continue;
    if (w === 'DELETE' && word(target + 1) === 'FROM') continue; // DELETE alias FROM table alias
    if (w === 'UPDATE' && hasFromAtDepth(sig.map((x) => x.p), target, depth)) {
      throw new QualifyError('an UPDATE … FROM cannot be qualified with database.schema on SQL Server (its target may be an alias): write the schema into the snippet, or use a DELETE/UPDATE without FROM');
    }
    qualify.add(sig[target].i);
    if (w === 'FROM') fromLists.push(depth);
  }
  const prefix = `${quoteDouble(schema)}.`;
  return pieces.map((p, i) => (qualify.has(i) ? prefix + p.text : p.text)).join('');
}

function hasFromAtDepth(pieces: Piece[], from: number, depth: number): boolean {
  let d = depth;
  for (let k = from; k < pieces.length; k++) {
    const p = pieces[k];
    if (p.text === '(') d++;
    else if (p.text === ')') d--;
    if (d < depth) return false;
    if (d === depth && p.kind === 'word' && p.upper === 'FROM') return true;
    if (d === depth && p.text === ';') return false;
  }
  return false;
}
