import { listItems, tidySnippetParams, type ParamDeclaration } from './params';

/**
 * What a production change must be confirmed with: the user name when the snippet has one;
 * for a snippet over a list of users, the number of listed items (the rows it expects to change,
 * as a bulk run asks), which the admin reads off the preview; otherwise the snippet's name.
 */
export function confirmationWord(snippet: { name: string; params: readonly ParamDeclaration[] }, given: Record<string, string>): string {
  // The user name as it is bound: tidied (" dave " is confirmed with "dave").
  const values = tidySnippetParams(snippet, given).params;
  if (values.username !== undefined) return values.username;
  const list = snippet.params.find((p) => p.type === 'string[]' && values[p.name] !== undefined);
  if (list) return String(listItems(values[list.name]).length);
  return snippet.name;
}
