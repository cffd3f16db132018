/** Tiny DOM builders for the panels: no framework, text always set as text (never HTML). */
export type Child = Node | string | null | undefined | false;

export function el<K extends string>(tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children) if (child) node.append(child);
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
