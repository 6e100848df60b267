import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { ErrorMessage, PageHeading } from '../Page.tsx';
import { BackToAdmin } from './AdminPage.tsx';
import type { NoticePreview, NoticeTemplate } from './types.ts';

/**
 * Notice templates (`/staff/admin/notices`, policies.manage): every template in force per kind and
 * language, the library's own wording or the built-in one; edit one with its placeholders listed,
 * preview it filled with sample data, save it, or go back to the built-in wording.
 */
export function NoticesPage() {
  const { t } = useI18n();
  const [templates, setTemplates] = useState<NoticeTemplate[] | null>(null);
  const [editing, setEditing] = useState<NoticeTemplate | null>(null);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [preview, setPreview] = useState<NoticePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);

  const load = useCallback(() => {
    call<NoticeTemplate[]>('adminNoticeTemplates').then(setTemplates, (e: unknown) =>
      setError(errorText(e, t)),
    );
  }, [t]);
  useEffect(load, [load]);
  useEffect(() => {
    if (editing) headingRef.current?.focus();
  }, [editing]);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const name = (tpl: { kind: string; language: string }) =>
    t('admin.notices.name', { kind: t(`admin.notices.kind.${tpl.kind}`), language: tpl.language });

  function edit(tpl: NoticeTemplate) {
    setEditing(tpl);
    setSubject(tpl.subject);
    setBody(tpl.body);
    setPreview(null);
    setConfirming(false);
    setError(null);
    setStatus('');
  }

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      await action();
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  const showPreview = () =>
    run(async () => {
      if (!editing) return;
      setPreview(
        await call<NoticePreview>('adminNoticePreview', {
          body: { kind: editing.kind, language: editing.language, subject, body },
        }),
      );
      setStatus(t('admin.notices.previewed'));
    });

  const save = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      if (!editing) return;
      const saved = await call<NoticeTemplate>('adminNoticeTemplatePut', {
        params: { kind: editing.kind, language: editing.language },
        body: { subject, body },
      });
      setEditing(saved);
      setStatus(t('admin.notices.saved', { name: name(saved) }));
      load();
    });
  };

  const reset = () =>
    run(async () => {
      if (!editing) return;
      await call('adminNoticeTemplateDelete', { params: { kind: editing.kind, language: editing.language } });
      setStatus(t('admin.notices.reset', { name: name(editing) }));
      setEditing(null);
      setConfirming(false);
      load();
    });

  return (
    <>
      <BackToAdmin />
      <PageHeading title={t('admin.notices.title')}>{t('admin.notices.title')}</PageHeading>
      <ErrorMessage text={error} />
      <div role="status" className={status ? 'ok-box' : undefined}>
        {status}
      </div>
      {templates === null && !error && <p className="loading">{t('app.loading')}</p>}
      {templates && (
        <div className="table-wrap">
          <table className="admin-table">
            <caption className="visually-hidden">{t('admin.notices.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.notices.kind')}</th>
                <th scope="col">{t('admin.notices.language')}</th>
                <th scope="col">{t('admin.notices.source')}</th>
                <th scope="col">{t('admin.notices.subject')}</th>
                <th scope="col">{t('admin.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {templates.map((tpl) => (
                <tr key={`${tpl.kind}/${tpl.language}`}>
                  <td>{t(`admin.notices.kind.${tpl.kind}`)}</td>
                  <td>{tpl.language}</td>
                  <td>{t(`admin.notices.source.${tpl.source}`)}</td>
                  <td>{tpl.subject}</td>
                  <td>
                    <button
                      type="button"
                      className="small secondary"
                      onClick={() => edit(tpl)}
                      aria-label={t('admin.notices.editLabel', { name: name(tpl) })}
                    >
                      {t('admin.edit')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {editing && (
        <section aria-labelledby="template-heading">
          <h2 id="template-heading" ref={headingRef} tabIndex={-1}>
            {name(editing)}
          </h2>
          <p className="note">{t(`admin.notices.source.${editing.source}`)}</p>
          <form className="form-grid" onSubmit={save}>
            <div className="field wide-field">
              <label htmlFor="template-subject">{t('admin.notices.subject')}</label>
              <input id="template-subject" value={subject} onChange={(e) => setSubject(e.target.value)} />
            </div>
            <div className="field wide-field">
              <label htmlFor="template-body">{t('admin.notices.body')}</label>
              <textarea
                id="template-body"
                rows={14}
                value={body}
                onChange={(e) => setBody(e.target.value)}
                aria-describedby="template-placeholders"
              />
            </div>
            <div id="template-placeholders" className="wide-field hint">
              {t('admin.notices.placeholders')} {editing.placeholders.fields.map((f) => `{{${f}}}`).join(' ')}
              {Object.entries(editing.placeholders.lists).map(([list, fields]) => (
                <span key={list}>
                  {' '}
                  {`{{#${list}}}`} {fields.map((f) => `{{${f}}}`).join(' ')} {`{{/${list}}}`}
                </span>
              ))}
            </div>
            <div className="actions">
              <button type="submit" disabled={busy}>
                {t('admin.save')}
              </button>
              <button type="button" className="secondary" onClick={showPreview} disabled={busy}>
                {t('admin.notices.preview')}
              </button>
              {editing.source === 'custom' &&
                (confirming ? (
                  <span className="confirm">
                    <span>{t('admin.notices.confirmReset')}</span>{' '}
                    <button ref={confirmRef} type="button" className="danger" onClick={reset} disabled={busy}>
                      {t('admin.notices.yesReset')}
                    </button>{' '}
                    <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                      {t('admin.cancel')}
                    </button>
                  </span>
                ) : (
                  <button type="button" className="secondary" onClick={() => setConfirming(true)}>
                    {t('admin.notices.resetButton')}
                  </button>
                ))}
              <button type="button" className="secondary" onClick={() => setEditing(null)}>
                {t('admin.notices.close')}
              </button>
            </div>
          </form>
          {preview && (
            <section aria-labelledby="preview-heading" className="notice-preview">
              <h3 id="preview-heading">{t('admin.notices.previewTitle')}</h3>
              <p>
                <strong>{preview.subject}</strong>
              </p>
              <pre>{preview.body}</pre>
            </section>
          )}
        </section>
      )}
    </>
  );
}
