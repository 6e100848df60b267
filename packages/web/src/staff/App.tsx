import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../common/api.ts';
import {
  I18nContext,
  LANGUAGES,
  type Language,
  preferredLanguage,
  translator,
  useI18n,
} from '../common/i18n.ts';
import { AdminPage } from './admin/AdminPage.tsx';
import { BranchChooser } from './BranchChooser.tsx';
import { call, errorText, onSignedOut } from './call.ts';
import { CatalogSearch } from './catalog/CatalogSearch.tsx';
import { ImportPage } from './catalog/ImportPage.tsx';
import { RecordView } from './catalog/RecordView.tsx';
import { Desk } from './desk/Desk.tsx';
import { HoldsPage } from './holds/HoldsPage.tsx';
import { Login } from './Login.tsx';
import { STAFF_MESSAGES } from './messages.ts';
import { NotAllowed, PageHeading } from './Page.tsx';
import { PatronRegister } from './patrons/PatronRegister.tsx';
import { PatronSearch } from './patrons/PatronSearch.tsx';
import { PatronView } from './patrons/PatronView.tsx';
import { Link, navigate, useLocation } from './router.tsx';
import { BRANCH_KEY, holds, type Session, SessionContext, useSession } from './session.tsx';
import './staff.css';
import type { Branch, Me } from './types.ts';

/**
 * The staff client: log-in, the desk's branch, and the pages — the circulation desk (check out, check
 * in, renew), patrons (find, view, register), holds (pull list, hold shelf, transits) and the catalog.
 */
export function App() {
  const [language, setLanguageState] = useState<Language>(preferredLanguage);
  const t = useMemo(() => translator(STAFF_MESSAGES, language), [language]);
  const i18n = useMemo(
    () => ({
      t,
      language,
      setLanguage(next: Language) {
        globalThis.localStorage?.setItem('stacks.language', next);
        setLanguageState(next);
      },
    }),
    [t, language],
  );
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [branches, setBranches] = useState<Branch[] | undefined>(undefined);
  const [branchId, setBranchId] = useState<string | null>(() => globalThis.localStorage?.getItem(BRANCH_KEY));
  const [choosing, setChoosing] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);

  const signedOut = useCallback(() => {
    setMe(null);
    setBranches(undefined);
  }, []);

  const loadMe = useCallback(() => {
    setLoadError(null);
    call<Me>('me').then(setMe, (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) setMe(null);
      else setLoadError(errorText(error, t));
    });
  }, [t]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: once, when the client opens (not again when the language changes).
  useEffect(() => {
    onSignedOut(signedOut);
    loadMe();
  }, []);

  useEffect(() => {
    if (!me) return;
    call<Branch[]>('branches').then(setBranches, (error: unknown) => setLoadError(errorText(error, t)));
  }, [me, t]);

  function chooseBranch(id: string) {
    globalThis.localStorage?.setItem(BRANCH_KEY, id);
    setBranchId(id);
    setChoosing(false);
  }

  async function logout() {
    try {
      await call('logout');
    } catch {
      // Signed out either way.
    }
    signedOut();
    navigate('/staff/');
  }

  const branch = branches?.find((b) => b.id === branchId);
  const session: Session | null =
    me && branches && branch
      ? {
          me,
          branches,
          branch,
          can: (permission) => holds(me, permission),
          branchName: (id) => branches.find((b) => b.id === id)?.name ?? id,
        }
      : null;

  let content: ReactNode;
  if (loadError)
    content = (
      <div className="narrow">
        <PageHeading title={t('app.name')}>{t('app.name')}</PageHeading>
        <p role="alert" className="error-box">
          {loadError}
        </p>
        <button type="button" onClick={loadMe}>
          {t('app.retry')}
        </button>
      </div>
    );
  else if (me === undefined || (me && branches === undefined))
    content = (
      <p role="status" className="loading">
        {t('app.loading')}
      </p>
    );
  else if (me === null) content = <Login onLoggedIn={setMe} />;
  else if (!session || choosing)
    content = (
      <BranchChooser
        branches={branches ?? []}
        current={branch?.id ?? me.homeBranchId}
        onChoose={chooseBranch}
      />
    );
  else content = <Pages />;

  return (
    <I18nContext.Provider value={i18n}>
      <SessionContext.Provider value={session}>
        <a className="skip-link" href="#main">
          {t('app.skip')}
        </a>
        <header className="top">
          <div className="top-row">
            <p className="brand">{t('app.name')}</p>
            {session && !choosing && <Nav />}
            <div className="top-tools">
              {session && !choosing && (
                <p className="branch-now">
                  {t('branch.current', { branch: session.branch.name })}{' '}
                  <button type="button" className="link-button" onClick={() => setChoosing(true)}>
                    {t('branch.change')}
                  </button>
                </p>
              )}
              <LanguageSwitch />
              {me && (
                <p className="who">
                  {me.displayName}{' '}
                  <button type="button" className="link-button" onClick={logout}>
                    {t('app.logout')}
                  </button>
                </p>
              )}
            </div>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {content}
        </main>
      </SessionContext.Provider>
    </I18nContext.Provider>
  );
}

function LanguageSwitch() {
  const { t, language, setLanguage } = useI18n();
  return (
    <p className="language">
      <label htmlFor="language-switch">{t('app.language')}</label>{' '}
      <select id="language-switch" value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
        {Object.entries(LANGUAGES).map(([code, name]) => (
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </p>
  );
}

function Nav() {
  const { t } = useI18n();
  const { can } = useSession();
  const { path } = useLocation();
  const links = [
    { href: '/staff/', label: t('nav.desk'), active: path === '/', show: can('circulation.desk') },
    {
      href: '/staff/patrons',
      label: t('nav.patrons'),
      active: path.startsWith('/patrons'),
      show: can('patrons.read'),
    },
    { href: '/staff/holds', label: t('nav.holds'), active: path === '/holds', show: can('circulation.desk') },
    { href: '/staff/catalog', label: t('nav.catalog'), active: path.startsWith('/catalog'), show: true },
    {
      href: '/staff/admin',
      label: t('nav.admin'),
      active: path.startsWith('/admin'),
      show: ADMIN_PERMISSIONS.some((p) => can(p)),
    },
  ];
  return (
    <nav aria-label={t('nav.label')}>
      <ul>
        {links
          .filter((l) => l.show)
          .map((l) => (
            <li key={l.href}>
              <Link href={l.href} aria-current={l.active ? 'page' : undefined}>
                {l.label}
              </Link>
            </li>
          ))}
      </ul>
    </nav>
  );
}

/** Permissions any of which opens the administration pages. */
const ADMIN_PERMISSIONS = ['staff.read', 'branches.manage', 'policies.manage', 'tokens.manage'] as const;

/** The page for the current address. */
function Pages() {
  const { t } = useI18n();
  const { can } = useSession();
  const { path, query } = useLocation();
  if (path === '/') {
    if (!can('circulation.desk')) {
      if (can('patrons.read')) return <PatronSearch query={query} />;
      return <CatalogSearch query={query} />;
    }
    return <Desk />;
  }
  if (path === '/patrons')
    return can('patrons.read') ? <PatronSearch query={query} /> : <NotAllowed permission="patrons.read" />;
  if (path === '/patrons/new')
    return can('patrons.manage') ? <PatronRegister /> : <NotAllowed permission="patrons.manage" />;
  const patron = /^\/patrons\/([^/]+)$/.exec(path);
  if (patron?.[1])
    return can('patrons.read') ? <PatronView id={patron[1]} /> : <NotAllowed permission="patrons.read" />;
  if (path === '/holds')
    return can('circulation.desk') ? <HoldsPage /> : <NotAllowed permission="circulation.desk" />;
  if (path === '/catalog') return <CatalogSearch query={query} />;
  if (path === '/catalog/import')
    return can('catalog.edit') ? <ImportPage /> : <NotAllowed permission="catalog.edit" />;
  if (path === '/admin' || path.startsWith('/admin/')) return <AdminPage path={path} query={query} />;
  const record = /^\/catalog\/records\/([^/]+)$/.exec(path);
  if (record?.[1]) return <RecordView id={record[1]} />;
  return (
    <>
      <PageHeading title={t('notFound.title')}>{t('notFound.title')}</PageHeading>
      <p>
        <Link href="/staff/">{t('notFound.back')}</Link>
      </p>
    </>
  );
}
