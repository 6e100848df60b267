import { useI18n } from '../../shared/i18n.ts';
import { PageHeading } from '../Page.tsx';

/** Administration (`/staff/admin…`): staff and roles, branches and the calendar, rules, templates, tokens. */
export function AdminPage({ path }: { path: string; query: URLSearchParams }) {
  const { t } = useI18n();
  void path;
  return <PageHeading title={t('admin.title')}>{t('admin.title')}</PageHeading>;
}
