import { type ReactNode, useEffect, useRef } from 'react';
import { useI18n } from '../common/i18n.ts';

/**
 * A page's one `h1`. It takes the focus when the page opens (so a screen reader starts there after
 * navigation) and names the browser tab.
 */
export function PageHeading({
  children,
  title,
  focus = true,
}: {
  children: ReactNode;
  title: string;
  /** False where a field takes the focus instead (log-in, the branch list). */
  focus?: boolean;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · ${t('app.name')}`;
  }, [title, t]);
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** What a page shows a staff member who lacks the permission it needs. */
export function NotAllowed({ permission }: { permission: string }) {
  const { t } = useI18n();
  return (
    <>
      <PageHeading title={t('notAllowed.title')}>{t('notAllowed.title')}</PageHeading>
      <p>{t('notAllowed.text', { permission })}</p>
    </>
  );
}

/** An error message from the API, announced at once. */
export function ErrorMessage({ text }: { text: string | null }) {
  return (
    <div role="alert" className={text ? 'error-box' : undefined}>
      {text}
    </div>
  );
}
