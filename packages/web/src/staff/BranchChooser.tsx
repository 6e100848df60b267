import { useI18n } from '../common/i18n.ts';
import { PageHeading } from './Page.tsx';
import type { Branch } from './types.ts';

/**
 * Choosing the branch this desk works for (checkouts and check-ins are recorded there, items are routed
 * from there). One button per branch; the current or home branch has the focus, so Enter confirms it.
 */
export function BranchChooser({
  branches,
  current,
  onChoose,
}: {
  branches: Branch[];
  current: string | null;
  onChoose(id: string): void;
}) {
  const { t } = useI18n();
  const preferred = branches.findIndex((b) => b.id === current);
  return (
    <div className="narrow">
      <PageHeading focus={false} title={t('branch.choose')}>
        {t('branch.choose')}
      </PageHeading>
      <p>{t('branch.explain')}</p>
      {branches.length === 0 ? (
        <p className="error-box">{t('branch.none')}</p>
      ) : (
        <ul className="branch-list">
          {branches.map((b, i) => (
            <li key={b.id}>
              <button
                type="button"
                onClick={() => onChoose(b.id)}
                // biome-ignore lint/a11y/noAutofocus: Enter confirms the likely branch at once.
                autoFocus={i === Math.max(preferred, 0)}
                aria-current={b.id === current ? 'true' : undefined}
              >
                {b.name} <span className="note">{b.code}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
