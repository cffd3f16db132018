/**
 * Tiny DOM builders for the panels: no framework, text always set as text (never HTML), and
 * through core/printable.ts, so that a bidi override or a zero-width character
 * in a name from a server, a database or a file shows as U+XXXX instead of disguising it.
 */
import { printableLines } from '../../core/printable';

export type Child = Node | string | null | undefined | false;

/** Text shown in a panel: never cut, unsafe characters visible (a newline stays: a page shows it as a space, or breaks the line of a SQL text). */
export function shownText(text: string): string {
  return printableLines(text);
}

/** Sets an element's text (the only way panel code sets text). */
export function setText(node: Node, text: string): void {
  node.textContent = shownText(text);
}

export function el<K extends string>(tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(key, value === true ? '' : shownText(value));
  }
  for (const child of children) if (child) node.append(typeof child === 'string' ? shownText(child) : child);
  return node;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing element #${id}`);
  return node as T;
}

/** Shows or hides an element (and takes it out of the tab order when hidden). */
export function show(node: HTMLElement, visible: boolean): void {
  node.hidden = !visible;
}

/** A link (`<a href="#">`) that runs `action` instead of navigating; nothing when the link is absent. */
export function onLinkClick(link: HTMLElement | null, action: () => void): void {
  link?.addEventListener('click', (e) => {
    e.preventDefault();
    action();
  });
}

/** Ctrl+Enter (Cmd+Enter on macOS) anywhere in the panel runs its main action. */
export function onCtrlEnter(action: () => void): void {
  document.addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) action();
  });
}

/**
 * A labelled text field with a button beside it (Find, Look up, Check ticket), and under it
 * the field's error line (#<id>-error) when `withError`.
 */
export function fieldWithButton(field: { id: string; label: string; placeholder: string; maxlength?: string }, button: { id: string; text: string }, withError = false): HTMLElement {
  return el('vscode-form-group', { variant: 'vertical' },
    el('vscode-label', { for: field.id }, field.label),
    el('div', { class: 'inline' },
      el('vscode-textfield', { id: field.id, placeholder: field.placeholder, maxlength: field.maxlength }),
      el('vscode-button', { id: button.id, secondary: true }, button.text),
    ),
    withError ? el('div', { id: `${field.id}-error`, class: 'field-error', role: 'alert' }) : null,
  );
}
