import { lazy, type ReactNode, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import {
  I18nContext,
  LANGUAGES,
  type Language,
  preferredLanguage,
  translator,
  useI18n,
} from '../common/i18n.ts';
import { LoginPage } from './account/LoginPage.tsx';
import { OPAC_MESSAGES } from './messages.ts';
import { RecordPage } from './record/RecordPage.tsx';
import { Link, useLocation } from './router.tsx';
import { SearchPage } from './search/SearchPage.tsx';
import { SessionProvider, useSession } from './session.tsx';
import { PageHeading, useDocumentTitle } from './ui.tsx';
import './opac.css';

// My account is the largest page and only for signed-in patrons: it loads when first opened, which
// keeps the search page's JavaScript small.
const AccountPage = lazy(() => import('./account/AccountPage.tsx').then((m) => ({ default: m.AccountPage })));

/**
 * The public catalog: search, record pages with holds, sign-in with card and PIN, and My account, in
 * English or Spanish. One page; the paths `/`, `/record/:id`, `/login` and `/account` are routed here.
 */
export function App() {
  const [language, setLanguageState] = useState<Language>(preferredLanguage);
  const t = useMemo(() => translator(OPAC_MESSAGES, language), [language]);
  const setLanguage = useCallback((next: Language) => {
    try {
      globalThis.localStorage?.setItem('stacks.language', next);
    } catch {
      // Not remembered, but the page still switches.
    }
    setLanguageState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const i18n = useMemo(() => ({ t, language, setLanguage }), [t, language, setLanguage]);

  return (
    <I18nContext.Provider value={i18n}>
      <SessionProvider>
        <Layout />
      </SessionProvider>
    </I18nContext.Provider>
  );
}

function Layout() {
  const { t, language, setLanguage } = useI18n();
  const session = useSession();
  const { pathname, search } = useLocation();

  // A new page starts at its top (a new search on the same page keeps its place).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the path changes
  useEffect(() => {
    globalThis.scrollTo?.(0, 0);
  }, [pathname]);

  const record = /^\/record\/([^/]+)$/.exec(pathname);
  let page: ReactNode;
  if (pathname === '/') page = <SearchPage search={search} />;
  else if (record) page = <RecordPage key={record[1]} id={decodeURIComponent(record[1]!)} search={search} />;
  else if (pathname === '/login') page = <LoginPage search={search} />;
  else if (pathname === '/account')
    page = (
      <Suspense fallback={<p role="status">{t('common.loading')}</p>}>
        <AccountPage />
      </Suspense>
    );
  else page = <NotFound />;

  const signedIn = session.status === 'signed-in';
  return (
    <>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand">
            {t('site.name')}
          </Link>
          <nav aria-label={t('nav.label')}>
            <ul>
              <li>
                <Link to="/" aria-current={pathname === '/' ? 'page' : undefined}>
                  {t('nav.search')}
                </Link>
              </li>
              <li>
                {signedIn ? (
                  <Link to="/account" aria-current={pathname === '/account' ? 'page' : undefined}>
                    {t('nav.account')}
                  </Link>
                ) : (
                  <Link
                    to={
                      pathname === '/login' || pathname === '/'
                        ? '/login'
                        : `/login?next=${encodeURIComponent(pathname + search)}`
                    }
                    aria-current={pathname === '/login' ? 'page' : undefined}
                  >
                    {t('nav.signIn')}
                  </Link>
                )}
              </li>
            </ul>
          </nav>
          <div className="language">
            <label htmlFor="language">{t('nav.language')}</label>
            <select id="language" value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
              {Object.entries(LANGUAGES).map(([code, name]) => (
                <option key={code} value={code} lang={code}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
      <footer className="site-footer">
        <p>{t('site.footer')}</p>
      </footer>
    </>
  );
}

function NotFound() {
  const { t } = useI18n();
  useDocumentTitle(t('notFound.title'));
  return (
    <>
      <PageHeading>{t('notFound.title')}</PageHeading>
      <p>
        <Link to="/">{t('record.toSearch')}</Link>
      </p>
    </>
  );
}
