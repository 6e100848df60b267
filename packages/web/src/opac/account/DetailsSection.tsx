import type { PatronMe } from '@stacks/contract';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../common/api.ts';
import { LANGUAGES, useI18n } from '../../common/i18n.ts';
import { OPAC_ENDPOINTS } from '../endpoints.ts';
import { useSession } from '../session.tsx';
import { errorText, LiveMessage, type Outcome } from '../ui.tsx';
import { usePatronRequest } from './use-patron-request.ts';

type Patron = PatronMe['patron'];

interface Draft {
  email: string;
  phone: string;
  address: string;
  noticeChannel: 'email' | 'print';
  language: string;
  keepHistory: boolean;
}

const draftOf = (p: Patron): Draft => ({
  email: p.email ?? '',
  phone: p.phone ?? '',
  address: p.address ?? '',
  noticeChannel: p.noticeChannel,
  language: p.language,
  keepHistory: p.keepHistory,
});

/** The changed fields only, blanks as null (cleared), for `PATCH /api/patron/me`. */
function changes(before: Patron, draft: Draft): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const text = (value: string) => (value.trim() === '' ? null : value.trim());
  if (text(draft.email) !== before.email) out.email = text(draft.email);
  if (text(draft.phone) !== before.phone) out.phone = text(draft.phone);
  if (text(draft.address) !== before.address) out.address = text(draft.address);
  if (draft.noticeChannel !== before.noticeChannel) out.noticeChannel = draft.noticeChannel;
  if (draft.language !== before.language) out.language = draft.language;
  if (draft.keepHistory !== before.keepHistory) out.keepHistory = draft.keepHistory;
  return out;
}

/**
 * My contact details, how the library sends me notices, in which language, and whether my reading
 * history is kept. Saved with `PATCH /api/patron/me`; where a server has no such route the details
 * are shown read-only with a word on where to change them.
 */
export function DetailsSection() {
  const { t } = useI18n();
  const session = useSession();
  const call = usePatronRequest();
  const patron = session.me!.patron;
  const [draft, setDraft] = useState<Draft>(() => draftOf(patron));
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [readOnly, setReadOnly] = useState(false);
  const [emailInvalid, setEmailInvalid] = useState(false);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  async function save(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    // The browser knows an e-mail address when it sees one: say so before asking the server.
    const email = (event.currentTarget as HTMLFormElement).elements.namedItem('email');
    if (email instanceof HTMLInputElement && !email.validity.valid) {
      setEmailInvalid(true);
      setOutcome({ kind: 'error', text: (t) => t('details.notSaved', { reason: t('details.badEmail') }) });
      email.focus();
      return;
    }
    setEmailInvalid(false);
    const body = changes(patron, draft);
    if (Object.keys(body).length === 0) {
      setOutcome({ kind: 'ok', text: (t) => t('details.noChanges') });
      return;
    }
    setBusy(true);
    setOutcome(null);
    try {
      const me = await call<PatronMe>(OPAC_ENDPOINTS.myUpdate, { body });
      session.setMe(me);
      setDraft(draftOf(me.patron));
      setOutcome({ kind: 'ok', text: (t) => t('details.saved') });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 405)) {
        setReadOnly(true);
        setDraft(draftOf(patron));
        setOutcome({ kind: 'error', text: (t) => t('details.readOnly') });
      } else
        setOutcome({ kind: 'error', text: (t) => t('details.notSaved', { reason: errorText(error, t) }) });
    } finally {
      setBusy(false);
    }
  }

  const languages: Record<string, string> = { ...LANGUAGES };
  if (!(patron.language in languages)) languages[patron.language] = patron.language;

  return (
    <section aria-labelledby="details-heading" className="account-section">
      <h2 id="details-heading">{t('details.heading')}</h2>
      <form onSubmit={save} className="stacked-form details-form" noValidate>
        <fieldset disabled={readOnly}>
          <legend>{t('details.contact')}</legend>
          <div className="field">
            <label htmlFor="email">{t('details.email')}</label>
            <input
              id="email"
              name="email"
              type="email"
              aria-invalid={emailInvalid}
              autoComplete="email"
              value={draft.email}
              onChange={(e) => set('email', e.target.value)}
              maxLength={254}
            />
          </div>
          <div className="field">
            <label htmlFor="phone">{t('details.phone')}</label>
            <input
              id="phone"
              type="tel"
              autoComplete="tel"
              value={draft.phone}
              onChange={(e) => set('phone', e.target.value)}
              maxLength={50}
            />
          </div>
          <div className="field">
            <label htmlFor="address">{t('details.address')}</label>
            <textarea
              id="address"
              autoComplete="street-address"
              rows={3}
              value={draft.address}
              onChange={(e) => set('address', e.target.value)}
              maxLength={500}
            />
          </div>
        </fieldset>
        <fieldset disabled={readOnly}>
          <legend>{t('details.notices')}</legend>
          <div className="choice">
            <input
              type="radio"
              id="channel-email"
              name="noticeChannel"
              checked={draft.noticeChannel === 'email'}
              onChange={() => set('noticeChannel', 'email')}
            />
            <label htmlFor="channel-email">{t('details.byEmail')}</label>
          </div>
          <div className="choice">
            <input
              type="radio"
              id="channel-print"
              name="noticeChannel"
              checked={draft.noticeChannel === 'print'}
              onChange={() => set('noticeChannel', 'print')}
            />
            <label htmlFor="channel-print">{t('details.byPost')}</label>
          </div>
          <div className="field">
            <label htmlFor="notice-language">{t('details.language')}</label>
            <select
              id="notice-language"
              value={draft.language}
              onChange={(e) => set('language', e.target.value)}
            >
              {Object.entries(languages).map(([code, name]) => (
                <option key={code} value={code}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        </fieldset>
        <fieldset disabled={readOnly}>
          <legend>{t('details.privacy')}</legend>
          <div className="choice">
            <input
              type="checkbox"
              id="keep-history"
              checked={draft.keepHistory}
              onChange={(e) => set('keepHistory', e.target.checked)}
              aria-describedby="keep-history-hint"
            />
            <label htmlFor="keep-history">{t('details.keepHistory')}</label>
          </div>
          <p id="keep-history-hint" className="hint">
            {t('details.keepHistoryHint')}
          </p>
        </fieldset>
        {readOnly ? null : (
          <button type="submit" className="primary">
            {busy ? t('details.saving') : t('details.save')}
          </button>
        )}
        <LiveMessage outcome={outcome} />
      </form>
    </section>
  );
}
