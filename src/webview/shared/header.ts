/**
 * The header parts every panel shows the same way: the environment badge (#envBadge), the
 * line naming the instance (#instanceLine) and the connection banner (#connection).
 */
import type { Environment } from '../../core/profiles/schema';
import { byId, el, setText } from './dom';
import type { Connection } from './protocol';

/** The environment badge: its word and its colour (badge env-production, …). */
export function showEnvironment(environment: Environment): void {
  const badge = byId('envBadge');
  setText(badge, environment);
  badge.className = `badge env-${environment}`;
}

/** The environment badge and the line that names the instance. */
export function showInstance(instance: { environment: Environment }, line: string): void {
  showEnvironment(instance.environment);
  setText(byId('instanceLine'), line);
}

/** The result of the connection check: its summary (after ✓ or ✗ with `mark`) and each warning. */
export function showConnection(c: Connection, mark = false): void {
  const box = byId('connection');
  box.className = `banner ${c.ok && c.warnings.length === 0 ? 'ok' : 'warn'}`;
  box.replaceChildren(el('div', {}, mark ? `${c.ok ? '✓' : '✗'} ${c.summary}` : c.summary), ...c.warnings.map((w) => el('div', { class: 'warning' }, `⚠ ${w}`)));
}

/** The top of a panel: its title with the environment badge, the instance line, the connection banner. */
export function panelHeader(title: string): HTMLElement[] {
  return [
    el('header', {}, el('h1', {}, title), el('span', { id: 'envBadge', class: 'badge' })),
    el('p', { id: 'instanceLine', class: 'muted' }),
    el('div', { id: 'connection', class: 'banner', role: 'status' }),
  ];
}
