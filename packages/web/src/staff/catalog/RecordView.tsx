import { useEffect, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { STAFF_ENDPOINTS } from '../endpoints.ts';
import { ErrorMessage, PageHeading } from '../Page.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { ItemForm } from './ItemForm.tsx';
import { MarcEditor } from './MarcEditor.tsx';
import './import.css';
import type { BibRecord, Item } from '../types.ts';

/** File name endings of a record's download formats. */
const EXTENSIONS = { marcxml: 'xml', iso2709: 'mrc', json: 'json', text: 'txt' } as const;

/** Where a record's imported original is downloaded from (the server names the file). */
function originalUrl(id: string): string {
  const [, path] = STAFF_ENDPOINTS.recordSource.split(' ') as [string, string];
  return path.replace('{id}', encodeURIComponent(id));
}

/** Whether the record was imported from a file, so its original can be downloaded (null while asking). */
function useHasOriginal(id: string): boolean | null {
  const [has, setHas] = useState<boolean | null>(null);
  useEffect(() => {
    let live = true;
    setHas(null);
    fetch(originalUrl(id), { method: 'HEAD', credentials: 'same-origin' }).then(
      (response) => live && setHas(response.ok),
      () => live && setHas(false),
    );
    return () => {
      live = false;
    };
  }, [id]);
  return has;
}

/** One record as staff see it: the description and every copy with its branch, call number and status. */
export function RecordView({ id }: { id: string }) {
  const { t } = useI18n();
  const { branchName, can } = useSession();
  const [record, setRecord] = useState<BibRecord | null>(null);
  const [items, setItems] = useState<Item[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The item being edited, `'new'` while adding one, null when no form is open. */
  const [editing, setEditing] = useState<Item | 'new' | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [editingMarc, setEditingMarc] = useState(false);
  const [marcSaved, setMarcSaved] = useState<string | null>(null);
  const hasOriginal = useHasOriginal(id);

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
  const edit = can('catalog.edit');
  function onSaved(item: Item) {
    const added = editing === 'new';
    setItems((list) =>
      added ? [...(list ?? []), item] : (list ?? []).map((i) => (i.id === item.id ? item : i)),
    );
    setEditing(null);
    setSaved(t(added ? 'itemForm.added' : 'itemForm.saved', { barcode: item.barcode }));
  }
  const labels = (kind: 'barcode' | 'spine', ids: string[]) =>
    `/api/catalog/labels?kind=${kind}&${ids.map((i) => `item=${encodeURIComponent(i)}`).join('&')}`;
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
      <nav aria-label={t('record.download')} className="downloads">
        {t('record.download')}:{' '}
        {(['marcxml', 'iso2709', 'json', 'text'] as const).map((format, i) => (
          <span key={format}>
            {i > 0 && ' · '}
            <a
              href={`/api/catalog/records/${encodeURIComponent(record.id)}?format=${format}`}
              download={format === 'text' ? undefined : `${record.id}.${EXTENSIONS[format]}`}
            >
              {t(`record.download.${format}`)}
            </a>
          </span>
        ))}
        {hasOriginal && (
          <>
            {' · '}
            <a href={originalUrl(record.id)} download>
              {t('record.original')}
            </a>
          </>
        )}
      </nav>
      {edit && !editingMarc && (
        <p>
          <button
            type="button"
            onClick={() => {
              setMarcSaved(null);
              setEditingMarc(true);
            }}
          >
            {t('marc.edit')}
          </button>
        </p>
      )}
      {edit && editingMarc && (
        <MarcEditor
          record={record}
          onSaved={(r) => {
            setRecord(r);
            setEditingMarc(false);
            setMarcSaved(t('marc.saved', { version: r.version }));
          }}
          onCancel={() => setEditingMarc(false)}
        />
      )}
      <div role="status" aria-live="polite">
        {marcSaved}
      </div>
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
                  <th scope="col">{t('itemForm.actions')}</th>
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
                    <td className="nowrap">
                      {edit && (
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => {
                            setSaved(null);
                            setEditing(item);
                          }}
                          aria-label={t('itemForm.editOne', { barcode: item.barcode })}
                        >
                          {t('itemForm.edit')}
                        </button>
                      )}{' '}
                      <a
                        href={labels('spine', [item.id])}
                        aria-label={t('itemForm.spineOne', { barcode: item.barcode })}
                      >
                        {t('itemForm.spine')}
                      </a>{' '}
                      <a
                        href={labels('barcode', [item.id])}
                        aria-label={t('itemForm.barcodeOne', { barcode: item.barcode })}
                      >
                        {t('itemForm.barcodeLabel')}
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div role="status" aria-live="polite">
          {saved}
        </div>
        {items.length > 0 && (
          <p>
            {t('itemForm.allLabels')}:{' '}
            <a
              href={labels(
                'spine',
                items.map((i) => i.id),
              )}
            >
              {t('itemForm.spine')}
            </a>{' '}
            ·{' '}
            <a
              href={labels(
                'barcode',
                items.map((i) => i.id),
              )}
            >
              {t('itemForm.barcodeLabel')}
            </a>
          </p>
        )}
        {edit && editing === null && (
          <p>
            <button
              type="button"
              onClick={() => {
                setSaved(null);
                setEditing('new');
              }}
            >
              {t('itemForm.addButton')}
            </button>
          </p>
        )}
        {edit && editing !== null && (
          <ItemForm
            key={editing === 'new' ? 'new' : editing.id}
            recordId={record.id}
            item={editing === 'new' ? undefined : editing}
            onSaved={onSaved}
            onCancel={() => setEditing(null)}
          />
        )}
      </section>
      <p>
        <Link href="/staff/catalog">{t('record.back')}</Link>
      </p>
    </>
  );
}
