/**
 * The result box (#result) of an action, as the unenroll and Cloud panels show it: ✓ or ✗ with
 * the title, the panel's own lines, the server's own words, and the audit line with its link.
 */
import { byId, el, onLinkClick, type Child } from './dom';

export interface ResultHead {
  ok: boolean;
  title: string;
  serverMessage?: string;
  status?: number;
  time: string;
  auditId?: string;
}

/** Shows `r` (or empties the box): `before` and `after` are the panel's lines around the server's words. */
export function showResult(r: ResultHead | undefined, before: Child[], after: Child[], openAuditLog: () => void): void {
  const box = byId('result');
  if (!r) return void box.replaceChildren();
  box.className = `result ${r.ok ? 'ok' : 'error'}`;
  const parts: Child[] = [
    el('h2', { id: 'resultTitle' }, `${r.ok ? '✓' : '✗'} ${r.title}`),
    ...before,
    r.serverMessage ? el('p', { class: 'muted' }, `Server said${r.status ? ` (HTTP ${r.status})` : ''}: `, el('code', {}, r.serverMessage)) : null,
    ...after,
    el('p', { class: 'muted', id: 'resultAudit' }, `${r.time}${r.auditId ? ` · audit entry ${r.auditId}` : ''} `,
      r.auditId ? el('a', { href: '#', id: 'openAudit' }, 'Open audit log') : null),
  ];
  box.replaceChildren(...parts.filter((p): p is Node | string => Boolean(p)));
  onLinkClick(document.getElementById('openAudit'), openAuditLog);
}
