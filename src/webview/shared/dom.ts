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
