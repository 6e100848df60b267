import { useId, useState } from 'react';
import { useI18n } from '../../shared/i18n.ts';
import { STAFF_ENDPOINTS } from '../endpoints.ts';

/** The file formats of a catalog export, as `GET /api/catalog/export?format=` names them. */
export const EXPORT_FORMATS = ['iso2709', 'marcxml', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The download address of an export: every record, or those `q` finds. */
export function exportUrl(format: ExportFormat, q = ''): string {
  const [, path] = STAFF_ENDPOINTS.catalogExport.split(' ') as [string, string];
  const params = new URLSearchParams({ format });
  if (q.trim()) params.set('q', q.trim());
  return `${path}?${params}`;
}

/**
 * Export as plain download links (the browser sends the session cookie; the server streams the file):
 * a format to choose, then the records of a search and/or the whole catalog. With `editable`, the
 * search is typed here; otherwise it is the catalog page's current search `q`.
 */
export function ExportLinks({ q = '', editable = false }: { q?: string; editable?: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const [format, setFormat] = useState<ExportFormat>('iso2709');
  const [text, setText] = useState(q);
  const search = (editable ? text : q).trim();
  return (
    <div className="export-links">
      <fieldset className="field">
        <legend>{t('export.format')}</legend>
        {EXPORT_FORMATS.map((f) => (
          <label key={f} className="choice">
            <input
              type="radio"
              name={`${id}-format`}
              value={f}
              checked={format === f}
              onChange={() => setFormat(f)}
            />{' '}
            {t(`export.format.${f}`)}
          </label>
        ))}
      </fieldset>
      {editable && (
        <div className="field">
          <label htmlFor={`${id}-q`}>{t('export.query')}</label>
          <input
            id={`${id}-q`}
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={1000}
            autoComplete="off"
            aria-describedby={`${id}-q-hint`}
          />
          <p id={`${id}-q-hint`} className="hint">
            {t('export.queryHint')}
          </p>
        </div>
      )}
      <ul className="export-actions">
        {search && (
          <li>
            <a href={exportUrl(format, search)} download data-export="search">
              {t('export.search', { q: search, format: t(`export.format.${format}`) })}
            </a>
          </li>
        )}
        <li>
          <a href={exportUrl(format)} download data-export="all">
            {t('export.all', { format: t(`export.format.${format}`) })}
          </a>
        </li>
      </ul>
    </div>
  );
}
