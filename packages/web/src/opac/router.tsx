import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

/**
 * A small router over the History API: the public catalog's pages are `/`, `/record/:id`, `/login` and
 * `/account` (the server sends the same page for each), and the search lives in the query string, so
 * back, forward, reload and shared links all work without a routing library.
 */

const listeners = new Set<() => void>();
let navigated = false;

function notify(): void {
  navigated = true;
  for (const listener of listeners) listener();
}

/** Whether the patron has moved from page to page in this tab (not just loaded the first page). */
export function hasNavigated(): boolean {
  return navigated;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) globalThis.addEventListener('popstate', notify);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) globalThis.removeEventListener('popstate', notify);
  };
}

const snapshot = () => globalThis.location.pathname + globalThis.location.search;

/** Goes to a page of the catalog (`/record/…`, `/?q=…`) without reloading; `replace` keeps history short. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (options.replace) globalThis.history.replaceState(null, '', to);
  else globalThis.history.pushState(null, '', to);
  notify();
}

/** The current path and query string; the component re-renders when either changes. */
export function useLocation(): { pathname: string; search: string } {
  const current = useSyncExternalStore(subscribe, snapshot);
  const q = current.indexOf('?');
  return q < 0
    ? { pathname: current, search: '' }
    : { pathname: current.slice(0, q), search: current.slice(q) };
}

/** A link inside the catalog: a real `<a href>` (so it opens in a new tab too) that navigates in place. */
export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  function follow(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    event.preventDefault();
    navigate(to);
  }
  return <a href={to} onClick={follow} {...rest} />;
}

/**
 * Where to go after signing in: only a path of this site (`/record/…`), never another origin, so a
 * crafted `?next=//elsewhere` link cannot send a patron away.
 */
export function safeNext(next: string | null | undefined, fallback = '/account'): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}
