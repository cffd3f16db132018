/**
 * Compares a JSON answer with a documented example: same keys, same JSON types, recursively
 * (array items against the example's first item). A key the example does not have is a
 * problem unless listed in `extras`: an answer with undocumented fields would let the client
 * rely on them. null in the example matches anything (it stands for "a value or none").
 */
export function shapeProblems(example: unknown, actual: unknown, extras: ReadonlySet<string> = new Set(), at = '$'): string[] {
  if (example === null) return [];
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(example) !== kind(actual)) return [`${at}: expected ${kind(example)}, got ${kind(actual)}`];
  if (Array.isArray(example)) {
    const items = actual as unknown[];
    if (!example.length) return [];
    return items.flatMap((item, i) => shapeProblems(example[0], item, extras, `${at}[${i}]`));
  }
  if (kind(example) !== 'object') return [];
  const ex = example as Record<string, unknown>;
  const ac = actual as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(ex)) {
    if (!(key in ac)) problems.push(`${at}.${key}: missing`);
    else problems.push(...shapeProblems(ex[key], ac[key], extras, `${at}.${key}`));
  }
  for (const key of Object.keys(ac)) if (!(key in ex) && !extras.has(key)) problems.push(`${at}.${key}: not in the documented example`);
  return problems;
}
