/**
 * The last results page the patron saw (`/?q=…`), so a record page can offer a way back to exactly
 * those results. Kept for the page's lifetime only.
 */
let last: string | null = null;

/** Notes the address of the results page on show. */
export function rememberSearch(href: string | null): void {
  last = href;
}

/** The address of the last results page, or null when the patron came straight to a record. */
export function lastSearchHref(): string | null {
  return last;
}
