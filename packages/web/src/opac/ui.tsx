import { type ReactNode, useEffect, useRef } from 'react';
import { ApiError } from '../common/api.ts';
import { type Language, type Translate, useI18n } from '../common/i18n.ts';
import { hasNavigated } from './router.tsx';

/**
 * Small building blocks the catalog's pages share: the page heading that takes focus when a page
 * opens, the live region that announces the outcome of an action, and error wording.
 */

/** Sets the browser tab's title: `<page> – <catalog name>`. */
export function useDocumentTitle(title: string): void {
  const { t } = useI18n();
  useEffect(() => {
    document.title = title ? `${title} – ${t('site.name')}` : t('site.name');
  }, [title, t]);
}

/**
 * The page's `<h1>`. It takes focus when the page opens (not on the first load), so a keyboard or
 * screen-reader user hears where a link took them and continues from the top of the new page.
 */
export function PageHeading({ children, className }: { children: ReactNode; className?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (hasNavigated()) ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} className={className}>
      {children}
    </h1>
  );
}

/**
 * What an action came to: whether it is good news, and its message in words, written in the language
 * the page is in (so switching language rewrites messages already shown).
 */
export interface Outcome {
  kind: 'ok' | 'error';
  text(t: Translate, language: Language): string;
}

/**
 * A live region for the outcome of an action (renewed, hold placed, refused …). The region is always
 * in the page, so screen readers announce each new message.
 */
export function LiveMessage({ outcome, id }: { outcome: Outcome | null; id?: string }) {
  const { t, language } = useI18n();
  return (
    <div id={id} role="status" aria-live="polite" aria-atomic="true" className="live">
      {outcome ? <p className={`message message-${outcome.kind}`}>{outcome.text(t, language)}</p> : null}
    </div>
  );
}

/** An error as words a person can act on: the API's message, or that the network failed. */
export function errorText(error: unknown, t: Translate): string {
  if (error instanceof ApiError) return error.code === 'NETWORK' ? t('error.network') : error.message;
  return t('error.unexpected');
}
