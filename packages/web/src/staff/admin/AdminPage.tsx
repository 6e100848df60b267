import { useI18n } from '../../common/i18n.ts';
import { NotAllowed, PageHeading } from '../Page.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import './admin.css';
import { BranchesPage } from './BranchesPage.tsx';
import { NoticesPage } from './NoticesPage.tsx';
import { RulesPage } from './RulesPage.tsx';
import { StaffPage } from './StaffPage.tsx';
import { TokensPage } from './TokensPage.tsx';

/** The administration sub-pages: address, label key, and the permission that shows each one. */
const SECTIONS = [
  { path: '/admin/rules', label: 'admin.rules.title', permission: 'policies.manage' },
  { path: '/admin/branches', label: 'admin.branches.title', permission: 'branches.manage' },
  { path: '/admin/staff', label: 'admin.staff.title', permission: 'staff.read' },
  { path: '/admin/notices', label: 'admin.notices.title', permission: 'policies.manage' },
  { path: '/admin/tokens', label: 'admin.tokens.title', permission: 'tokens.manage' },
] as const;

/**
 * Administration (`/staff/admin…`): a menu of the sub-pages the staff member may use, and the sub-page
 * for the current address. Each sub-page shows only with its permission.
 */
export function AdminPage({ path }: { path: string; query: URLSearchParams }) {
  const { t } = useI18n();
  const { can } = useSession();
  const section = SECTIONS.find((s) => s.path === path);
  if (section && !can(section.permission)) return <NotAllowed permission={section.permission} />;
  if (path === '/admin/rules') return <RulesPage />;
  if (path === '/admin/branches') return <BranchesPage />;
  if (path === '/admin/staff') return <StaffPage />;
  if (path === '/admin/notices') return <NoticesPage />;
  if (path === '/admin/tokens') return <TokensPage />;
  const visible = SECTIONS.filter((s) => can(s.permission));
  return (
    <>
      <PageHeading title={t('admin.title')}>{t('admin.title')}</PageHeading>
      {path !== '/admin' && <p role="status">{t('admin.unknownPage')}</p>}
      {visible.length === 0 ? (
        <p>{t('admin.nothing')}</p>
      ) : (
        <nav aria-label={t('admin.menu')}>
          <ul className="admin-menu">
            {visible.map((s) => (
              <li key={s.path}>
                <Link href={`/staff${s.path}`}>{t(s.label)}</Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </>
  );
}

/** The way back to the administration menu, above each sub-page's heading. */
export function BackToAdmin() {
  const { t } = useI18n();
  return (
    <p className="admin-back">
      <Link href="/staff/admin">{t('admin.back')}</Link>
    </p>
  );
}

/** Minor units as a decimal for a form field, e.g. 125 → "1.25". */
export function minorToField(minor: number | null): string {
  return minor === null ? '' : (minor / 100).toFixed(2);
}

/** A decimal amount typed in a form as minor units, or undefined when it is not an amount. */
export function fieldToMinor(text: string): number | undefined {
  const clean = text.trim().replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(clean)) return undefined;
  return Math.round(Number(clean) * 100);
}
