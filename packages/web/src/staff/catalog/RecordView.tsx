import { useEffect, useState } from 'react';
import { useI18n } from '../../shared/i18n.ts';
import { call, errorText } from '../call.ts';
import { ErrorMessage, PageHeading } from '../Page.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { BibRecord, Item } from '../types.ts';

/** One record as staff see it: the description and every copy with its branch, call number and status. */
export function RecordView({ id }: { id: string }) {
  const { t } = useI18n();
  const { branchName } = useSession();
  const [record, setRecord] = useState<BibRecord | null>(null);
  const [items, setItems] = useState<Item[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    Promise.all([
      call<BibRecord>('record', { params: { id } }),
      call<Item[]>('recordItems', { params: { id } }),
    ]).then(
      ([r, i]) => {
        if (!live) return;
        setRecord(r);
        setItems(i);
      },
      (e: unknown) => live && setError(errorText(e, t)),
    );
    return () => {
      live = false;
    };
  }, [id, t]);

  if (error)
    return (
      <>
        <PageHeading title={t('record.title')}>{t('record.title')}</PageHeading>
        <ErrorMessage text={error} />
      </>
    );
  if (!record || !items)
    return (
      <p role="status" className="loading">
        {t('app.loading')}
      </p>
    );
  const s = record.summary;
  const facts: [string, string][] = [
    [t('record.responsibility'), s.responsibility ?? s.authors.join('; ')],
    [t('record.publisher'), [s.publisher, s.year].filter(Boolean).join(', ')],
    [t('record.edition'), s.edition ?? ''],
    [t('record.format'), s.format],
    [t('record.language'), s.language ?? ''],
    [t('record.isbn'), s.isbns.join(', ')],
    [t('record.subjects'), s.subjects.join('; ')],
    [t('record.series'), s.series.join('; ')],
  ];
  return (
    <>
      <PageHeading title={s.title}>{s.title}</PageHeading>
      <dl className="facts">
        {facts
          .filter(([, value]) => value)
          .map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
      </dl>
      <p>
        <a href={`/record/${record.id}`}>{t('record.public')}</a>
      </p>
      <section aria-labelledby="items-heading">
        <h2 id="items-heading">{t('record.items', { count: items.length })}</h2>
        {items.length === 0 ? (
          <p>{t('record.noItems')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('loan.barcode')}</th>
                  <th scope="col">{t('item.branch')}</th>
                  <th scope="col">{t('item.callNumber')}</th>
                  <th scope="col">{t('item.location')}</th>
                  <th scope="col">{t('item.type')}</th>
                  <th scope="col">{t('item.status')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <tr key={item.id}>
                    <td>{item.barcode}</td>
                    <td>{branchName(item.branchId)}</td>
                    <td>
                      {[item.callNumber, item.volume, item.copyNumber && `c.${item.copyNumber}`]
                        .filter(Boolean)
                        .join(' ')}
                    </td>
                    <td>{item.location ?? '—'}</td>
                    <td>{item.itemType}</td>
                    <td>{t(`itemStatus.${item.status}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <p>
        <Link href="/staff/catalog">{t('record.back')}</Link>
      </p>
    </>
  );
}
