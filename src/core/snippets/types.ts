/**
 * A snippet: one SQL statement with a header that says what it does, for which products and
 * dialects, which parameters it takes, and (for a change) how to back up what it changes.
 * The file syntax is documented in docs/snippets.md.
 */
import type { Product } from '../profiles/schema';
import type { Dialect } from '../db/types';

export const SNIPPET_PRODUCTS = ['jira', 'confluence', 'bitbucket', 'bamboo'] as const satisfies readonly Product[];
export type SnippetProduct = (typeof SNIPPET_PRODUCTS)[number];

/**
 * `string[]`: a list of texts (e.g. user names), used inside `IN (…)` only; the binder writes
 * the IN's expression once per item, each with its own bound placeholder.
 */
export const PARAM_TYPES = ['string', 'integer', 'boolean', 'timestamp', 'string[]'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export type SnippetKind = 'read' | 'destructive';

export interface SnippetParam {
  name: string;
  type: ParamType;
  label: string;
  optional: boolean;
  default?: string | number | boolean;
  min?: number;
  max?: number;
  maxLength?: number;
  /** 1-based line of the declaration. */
  line: number;
}

/** How many rows a change must touch: a fixed number, or the value of an integer parameter. */
export type ExpectRule = { type: 'count'; count: number } | { type: 'param'; param: string };

export interface SnippetSection {
  role: 'query' | 'backup';
  /** null: the default text for every dialect without its own section. */
  dialects: Dialect[] | null;
  /** Portable SQL: "double-quoted" identifiers, :named parameters, {{macros}}. */
  sql: string;
  /** 1-based line of the first SQL line. */
  line: number;
}

export interface Snippet {
  name: string;
  title: string;
  description: string;
  products: SnippetProduct[];
  dialects: Dialect[];
  kind: SnippetKind;
  params: SnippetParam[];
  expect?: ExpectRule;
  /** The table the backup rows come from and are restored into (as written, unquoted). */
  backupTable?: string;
  /** Its primary key column(s). */
  backupKey?: string[];
  sections: SnippetSection[];
  /** Where it came from: a file path, or "builtin:<relative path>". */
  source: string;
  builtin: boolean;
}

export interface Diagnostic {
  /** 1-based. */
  line: number;
  /** 1-based; 1 when the whole line is meant. */
  column: number;
  /** 1-based, exclusive; the line's end when unknown. */
  endColumn?: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface ParseResult {
  /** Present when there is no error (warnings allowed). */
  snippet?: Snippet;
  diagnostics: Diagnostic[];
}
