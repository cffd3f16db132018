/**
 * A virtualised, sortable results grid: only the rows in view are in the DOM, so 10,000 rows
 * render as fast as 50. Keyboard: arrows move the selected cell, Home/End jump, Ctrl/Cmd+C
 * copies the cell (Shift: the row as tab-separated text). Click a header to sort.
 */
import { el } from './dom';

export interface GridColumn {
  name: string;
  /** Numeric kinds sort as numbers. */
  numeric: boolean;
}

export type GridCell = string | null;

const ROW_HEIGHT = 24;
const OVERSCAN = 10;

export class ResultsGrid {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly header: HTMLElement;
  private columns: GridColumn[] = [];
  private rows: GridCell[][] = [];
  private order: number[] = [];
  private sort: { column: number; descending: boolean } | undefined;
  private selected = { row: 0, column: 0 };
  private templateColumns = '';

  constructor(private readonly onCopy: (text: string) => void) {
    this.header = el('div', { class: 'grid-header', role: 'row' });
    this.canvas = el('div', { class: 'grid-canvas', role: 'rowgroup' });
    this.viewport = el('div', { class: 'grid-viewport', tabindex: '0', role: 'grid', 'aria-label': 'Query results' }, this.canvas);
    this.element = el('div', { class: 'grid' }, this.header, this.viewport);
    this.viewport.addEventListener('scroll', () => this.paint());
    this.viewport.addEventListener('keydown', (e) => this.key(e));
    new ResizeObserver(() => this.paint()).observe(this.viewport);
  }

  setData(columns: GridColumn[], rows: GridCell[][]): void {
    this.columns = columns;
    this.rows = rows;
    this.sort = undefined;
    this.order = rows.map((_, i) => i);
    this.selected = { row: 0, column: 0 };
    this.templateColumns = columns.map((c) => (c.numeric ? 'minmax(60px, 0.6fr)' : 'minmax(100px, 1fr)')).join(' ');
    this.renderHeader();
    this.canvas.style.height = `${rows.length * ROW_HEIGHT}px`;
    this.viewport.scrollTop = 0;
    this.paint();
  }

  get rowCount(): number {
    return this.rows.length;
  }

  /** The rows in their current (sorted) order, for export. */
  orderedRows(): GridCell[][] {
    return this.order.map((i) => this.rows[i]);
  }

  private renderHeader(): void {
    this.header.style.gridTemplateColumns = this.templateColumns;
    this.header.replaceChildren(
      ...this.columns.map((c, i) => {
        const arrow = this.sort?.column === i ? (this.sort.descending ? ' ▼' : ' ▲') : '';
        const cell = el('button', { class: 'grid-head', role: 'columnheader', title: `Sort by ${c.name}`, 'aria-sort': this.sort?.column === i ? (this.sort.descending ? 'descending' : 'ascending') : 'none' }, c.name + arrow);
        cell.addEventListener('click', () => this.sortBy(i));
        return cell;
      }),
    );
  }

  private sortBy(column: number): void {
    const descending = this.sort?.column === column ? !this.sort.descending : false;
    this.sort = { column, descending };
    const numeric = this.columns[column]?.numeric;
    const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
    this.order.sort((a, b) => {
      const x = this.rows[a][column];
      const y = this.rows[b][column];
      if (x === y) return a - b;
      if (x === null) return 1; // nulls last either way
      if (y === null) return -1;
      const c = numeric ? Number(x) - Number(y) : collator.compare(x, y);
      return (descending ? -c : c) || a - b;
    });
    this.renderHeader();
    this.paint();
  }

  private paint(): void {
    const height = this.viewport.clientHeight || 400;
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.order.length, Math.ceil((this.viewport.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    const children: HTMLElement[] = [];
    for (let r = first; r < last; r++) {
      const data = this.rows[this.order[r]];
      const row = el('div', { class: 'grid-row', role: 'row', 'aria-rowindex': String(r + 1) },
        ...data.map((v, c) => {
          const selected = r === this.selected.row && c === this.selected.column;
          const cell = el('div', { class: `grid-cell${v === null ? ' null' : ''}${selected ? ' selected' : ''}`, role: 'gridcell', title: v ?? 'NULL' }, v ?? 'NULL');
          cell.addEventListener('click', () => this.select(r, c));
          return cell;
        }));
      row.style.transform = `translateY(${r * ROW_HEIGHT}px)`;
      row.style.gridTemplateColumns = this.templateColumns;
      children.push(row);
    }
    this.canvas.replaceChildren(...children);
  }

  private select(row: number, column: number): void {
    this.selected = { row: clamp(row, 0, this.order.length - 1), column: clamp(column, 0, this.columns.length - 1) };
    const top = this.selected.row * ROW_HEIGHT;
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + ROW_HEIGHT > this.viewport.scrollTop + this.viewport.clientHeight) this.viewport.scrollTop = top + ROW_HEIGHT - this.viewport.clientHeight;
    this.paint();
  }

  /** The selected cell's text, and its row as tab-separated text. */
  selection(): { cell: string; row: string } | undefined {
    const data = this.rows[this.order[this.selected.row]];
    if (!data) return undefined;
    return { cell: data[this.selected.column] ?? '', row: data.map((v) => v ?? '').join('\t') };
  }

  private key(e: KeyboardEvent): void {
    const { row, column } = this.selected;
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / ROW_HEIGHT) - 1);
    const moves: Record<string, [number, number]> = {
      ArrowDown: [row + 1, column], ArrowUp: [row - 1, column], ArrowLeft: [row, column - 1], ArrowRight: [row, column + 1],
      PageDown: [row + page, column], PageUp: [row - page, column], Home: [0, column], End: [this.order.length - 1, column],
    };
    if (moves[e.key]) {
      e.preventDefault();
      this.select(...moves[e.key]);
    } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c') {
      const s = this.selection();
      if (s) this.onCopy(e.shiftKey ? s.row : s.cell);
      e.preventDefault();
    }
  }
}

function clamp(n: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, n));
}
