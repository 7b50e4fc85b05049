// The user list and the logs are keyset paged: each page answers the cursor of the next
// one. Going back needs the cursors of the pages already seen, kept as a stack (page n
// reads cursors[n-1]).
import { useState } from "react";

export type Pages = { readonly cursors: readonly (string | null)[] };

export const firstPage: Pages = { cursors: [null] };

/** The cursor the current page is read with (null: the first page). */
export function currentCursor(pages: Pages): string | null {
  return pages.cursors[pages.cursors.length - 1] ?? null;
}

/** The 1-based number of the current page. */
export function pageNumber(pages: Pages): number {
  return pages.cursors.length;
}

/** On to the page after the current one; unchanged on the last page (no next cursor). */
export function nextPage(pages: Pages, nextCursor: string | null | undefined): Pages {
  return nextCursor ? { cursors: [...pages.cursors, nextCursor] } : pages;
}

/** Back to the page before; unchanged on the first page. */
export function previousPage(pages: Pages): Pages {
  return pages.cursors.length > 1 ? { cursors: pages.cursors.slice(0, -1) } : pages;
}

/** The page cursors of one search (`signature`: the query as text); another search starts
 * again at page 1. */
export function usePages(signature: string) {
  const [state, setState] = useState<{ signature: string; pages: Pages }>({
    signature,
    pages: firstPage,
  });
  const pages = state.signature === signature ? state.pages : firstPage;
  const move = (to: (p: Pages) => Pages) => setState({ signature, pages: to(pages) });
  return [pages, move] as const;
}
