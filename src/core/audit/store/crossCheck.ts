/**
 * The local audit log against the team store: which of this computer's entries are only on
 * one side. An entry only in the local log is either still waiting to be shipped (after the
 * recorded position) or missing from the store (before it: removed there); an entry only in
 * the store under this computer's id is not in the local log (removed here, or another
 * computer uses the same id).
 */
import { readPosition } from '../ship/position';
import { readLinesForward } from '../lines';
import { errnoCode } from '../lock';
import { parseEntryLine } from '../entry';

export interface CrossCheck {
  /** Entries in the local log that the store should have but does not. */
  missingFromStore: string[];
  /** Entries in the local log not shipped yet (the backlog). */
  notYetShipped: number;
  /** Entries in the store from this computer that are not in the local log, as "id (writer #seq)". */
  onlyInStore: string[];
  ok: boolean;
}

export async function crossCheck(
  log: string,
  positionFile: string,
  destinationId: string,
  storeIds: Map<string, { writer: string; seq: number }>,
): Promise<CrossCheck> {
  const pos = await readPosition(positionFile, log, destinationId).catch(() => undefined);
  const shippedEnd = pos?.offset ?? 0;
  const local = new Set<string>();
  const missingFromStore: string[] = [];
  let notYetShipped = 0;
  try {
    for await (const l of readLinesForward(log)) {
      if (l.text === undefined) continue;
      const parsed = parseEntryLine(l.text);
      if ('reason' in parsed) continue;
      const id = parsed.entry.id;
      local.add(id);
      if (storeIds.has(id)) continue;
      if (l.next <= shippedEnd) missingFromStore.push(id);
      else notYetShipped++;
    }
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
  }
  const onlyInStore: string[] = [];
  for (const [id, at] of storeIds) if (!local.has(id)) onlyInStore.push(`${id} (${at.writer} #${at.seq})`);
  return { missingFromStore, notYetShipped, onlyInStore, ok: !missingFromStore.length && !onlyInStore.length };
}
