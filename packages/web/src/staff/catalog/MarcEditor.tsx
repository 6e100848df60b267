import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { ApiError } from '../../common/api.ts';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { STAFF_ENDPOINTS } from '../endpoints.ts';
import { ErrorMessage } from '../Page.tsx';
import type { BibRecord } from '../types.ts';

type MarcJson = BibRecord['marc'];

/** One field as the editor holds it: a control field has `value`, a data field indicators and subfields. */
export interface EditField {
  key: number;
  tag: string;
  ind1: string;
  ind2: string;
  /** The control field's value, or the data field's subfields as `$aTitle$bsubtitle` (`$` in data: `{dollar}`). */
  text: string;
}

const isControl = (tag: string) => /^00\d$/.test(tag);
/** A blank indicator is shown as `#` (the MARC documentation's convention). */
const showIndicator = (i: string) => (i === ' ' || i === '' ? '#' : i);
const readIndicator = (i: string) => (i === '#' || i === '' ? ' ' : i);

/** MARC-in-JSON to editable rows. */
export function toEditFields(marc: MarcJson): EditField[] {
  return marc.fields.map((field, key) => {
    const [tag, content] = Object.entries(field)[0] ?? ['', ''];
    if (typeof content === 'string') return { key, tag, ind1: '', ind2: '', text: content };
    const data = content as { ind1?: string; ind2?: string; subfields?: Record<string, string>[] };
    const text = (data.subfields ?? [])
      .map((sf) =>
        Object.entries(sf)
          .map(([code, value]) => `$${code}${value.replaceAll('$', '{dollar}')}`)
          .join(''),
      )
      .join('');
    return { key, tag, ind1: showIndicator(data.ind1 ?? ' '), ind2: showIndicator(data.ind2 ?? ' '), text };
  });
}

/** A problem with one row, as a message key and its values; null when the row is valid. */
export function fieldProblem(f: EditField): { key: string; values: Record<string, string> } | null {
  if (!/^\d{3}$/.test(f.tag)) return { key: 'marc.badTag', values: { tag: f.tag } };
  if (isControl(f.tag)) return f.text === '' ? { key: 'marc.emptyField', values: { tag: f.tag } } : null;
  for (const ind of [f.ind1, f.ind2])
    if (!/^[0-9a-z# ]?$/.test(ind)) return { key: 'marc.badIndicator', values: { tag: f.tag, ind } };
  if (!/^\$[a-z0-9]/.test(f.text)) return { key: 'marc.badSubfields', values: { tag: f.tag } };
  return null;
}

/** Editable rows back to MARC-in-JSON (rows must be valid). */
export function fromEditFields(leader: string, rows: EditField[]): MarcJson {
  return {
    leader,
    fields: rows.map((f) => {
      if (isControl(f.tag)) return { [f.tag]: f.text };
      const subfields = f.text
        .split('$')
        .slice(1)
        .map((part) => ({ [part.slice(0, 1)]: part.slice(1).replaceAll('{dollar}', '$') }));
      return { [f.tag]: { ind1: readIndicator(f.ind1), ind2: readIndicator(f.ind2), subfields } };
    }),
  };
}

/** The API's MARCMaker text view of a record (`?format=text`; `request()` reads JSON only). */
async function textView(id: string): Promise<string> {
  const [, template] = STAFF_ENDPOINTS.record.split(' ') as [string, string];
  const path = `${template.replace('{id}', encodeURIComponent(id))}?format=text`;
  let response: Response;
  try {
    response = await fetch(path, { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The library server cannot be reached.', undefined);
  }
  if (!response.ok)
    throw new ApiError(response.status, 'HTTP_ERROR', `The server answered ${response.status}`, undefined);
  return response.text();
}

/**
 * The MARC editor: leader, then each field's tag, indicators and subfields, checked here before the API
 * checks them again; saved with the record's version so a save over someone else's is refused. Shows the
 * API's MARCMaker text view of what is saved.
 */
export function MarcEditor({
  record,
  onSaved,
  onCancel,
}: {
  record: BibRecord;
  onSaved(record: BibRecord): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [leader, setLeader] = useState(record.marc.leader);
  const [rows, setRows] = useState<EditField[]>(() => toEditFields(record.marc));
  const [nextKey, setNextKey] = useState(record.marc.fields.length);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [text, setText] = useState<string | null>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  useEffect(() => {
    let live = true;
    textView(record.id).then(
      (s) => live && setText(s),
      () => live && setText(null),
    );
    return () => {
      live = false;
    };
  }, [record.id]);

  const change = (key: number, patch: Partial<EditField>) =>
    setRows((list) => list.map((f) => (f.key === key ? { ...f, ...patch } : f)));

  function addField() {
    setRows((list) => [...list, { key: nextKey, tag: '500', ind1: '#', ind2: '#', text: '$a' }]);
    setNextKey((k) => k + 1);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (leader.length !== 24) {
      setError(t('marc.badLeader', { length: leader.length }));
      return;
    }
    for (const row of rows) {
      const problem = fieldProblem(row);
      if (problem) {
        setError(t(problem.key, problem.values));
        return;
      }
    }
    setBusy(true);
    try {
      const saved = await call<BibRecord>('recordUpdate', {
        params: { id: record.id },
        body: { marc: fromEditFields(leader, rows), expectedVersion: record.version },
      });
      onSaved(saved);
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby={`${id}-h`} className="marc-editor">
      <h2 id={`${id}-h`} ref={heading} tabIndex={-1}>
        {t('marc.title')}
      </h2>
      <form onSubmit={submit} aria-busy={busy}>
        <p className="field">
          <label htmlFor={`${id}-leader`}>{t('marc.leader')}</label>
          <input
            id={`${id}-leader`}
            className="mono"
            value={leader}
            onChange={(e) => setLeader(e.target.value)}
            size={26}
            maxLength={24}
            spellCheck={false}
          />
        </p>
        <p className="hint">{t('marc.hint')}</p>
        <ol className="marc-fields">
          {rows.map((f, i) => {
            const control = isControl(f.tag);
            const n = i + 1;
            return (
              <li key={f.key}>
                <input
                  className="mono tag"
                  aria-label={t('marc.tag', { n })}
                  value={f.tag}
                  onChange={(e) => change(f.key, { tag: e.target.value })}
                  size={3}
                  maxLength={3}
                  spellCheck={false}
                />
                {!control && (
                  <>
                    <input
                      className="mono ind"
                      aria-label={t('marc.ind1', { n })}
                      value={f.ind1}
                      onChange={(e) => change(f.key, { ind1: e.target.value })}
                      size={1}
                      maxLength={1}
                    />
                    <input
                      className="mono ind"
                      aria-label={t('marc.ind2', { n })}
                      value={f.ind2}
                      onChange={(e) => change(f.key, { ind2: e.target.value })}
                      size={1}
                      maxLength={1}
                    />
                  </>
                )}
                <input
                  className="mono value"
                  aria-label={control ? t('marc.value', { n }) : t('marc.subfields', { n })}
                  value={f.text}
                  onChange={(e) => change(f.key, { text: e.target.value })}
                  spellCheck={false}
                />
                <button
                  type="button"
                  className="small secondary"
                  aria-label={t('marc.removeOne', { n, tag: f.tag })}
                  onClick={() => setRows((list) => list.filter((x) => x.key !== f.key))}
                >
                  {t('marc.remove')}
                </button>
              </li>
            );
          })}
        </ol>
        <ErrorMessage text={error} />
        <p className="actions">
          <button type="button" className="secondary" onClick={addField}>
            {t('marc.addField')}
          </button>
          <button type="submit" disabled={busy}>
            {t('marc.save')}
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            {t('itemForm.cancel')}
          </button>
        </p>
      </form>
      {text !== null && (
        <details>
          <summary>{t('marc.textView')}</summary>
          <pre className="code" data-testid="marc-text">
            {text}
          </pre>
        </details>
      )}
    </section>
  );
}
