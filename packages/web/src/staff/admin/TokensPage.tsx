import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { formatInstant } from '../format.ts';
import { ErrorMessage, PageHeading } from '../Page.tsx';
import { useSession } from '../session.tsx';
import { BackToAdmin } from './AdminPage.tsx';
import type { ApiToken, CreatedApiToken } from './types.ts';

/**
 * API tokens (`/staff/admin/tokens`, tokens.manage): the tokens (never their secrets), create one (its
 * secret is shown this once), and revoke one after confirmation.
 */
export function TokensPage() {
  const { t, language } = useI18n();
  const { branch } = useSession();
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const secretRef = useRef<HTMLHeadingElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);

  const load = useCallback(() => {
    call<ApiToken[]>('adminTokens').then(setTokens, (e: unknown) => setError(errorText(e, t)));
  }, [t]);
  useEffect(load, [load]);
  useEffect(() => {
    if (created) secretRef.current?.focus();
  }, [created]);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const when = (iso: string | null, none: string) =>
    iso ? formatInstant(iso, language, branch.timeZone) : none;

  async function create(event: FormEvent) {
    event.preventDefault();
    const expiresInDays = days.trim() === '' ? undefined : Number(days.trim());
    if (expiresInDays !== undefined && !Number.isInteger(expiresInDays)) {
      setError(t('admin.tokens.badDays'));
      return;
    }
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const answer = await call<CreatedApiToken>('adminTokenCreate', {
        body: { name: name.trim(), ...(expiresInDays === undefined ? {} : { expiresInDays }) },
      });
      setCreated(answer);
      setStatus(t('admin.tokens.created', { name: answer.token.name }));
      setName('');
      setDays('');
      load();
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(token: ApiToken) {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      await call('adminTokenRevoke', { params: { id: token.id } });
      setStatus(t('admin.tokens.revoked', { name: token.name }));
      setConfirming(null);
      load();
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <BackToAdmin />
      <PageHeading title={t('admin.tokens.title')}>{t('admin.tokens.title')}</PageHeading>
      <p>{t('admin.tokens.intro')}</p>
      <ErrorMessage text={error} />
      <div role="status" className={status ? 'ok-box' : undefined}>
        {status}
      </div>

      {created && (
        <section aria-labelledby="secret-heading" className="warning-box secret-box">
          <h2 id="secret-heading" ref={secretRef} tabIndex={-1}>
            {t('admin.tokens.secretTitle', { name: created.token.name })}
          </h2>
          <p>{t('admin.tokens.secretOnce')}</p>
          <p>
            <label htmlFor="token-secret">{t('admin.tokens.secret')}</label>{' '}
            <input id="token-secret" readOnly value={created.secret} className="secret" />
          </p>
          <button type="button" className="secondary" onClick={() => setCreated(null)}>
            {t('admin.tokens.secretDone')}
          </button>
        </section>
      )}

      {tokens && tokens.length === 0 && <p>{t('admin.tokens.empty')}</p>}
      {tokens && tokens.length > 0 && (
        <div className="table-wrap">
          <table className="admin-table">
            <caption className="visually-hidden">{t('admin.tokens.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.tokens.name')}</th>
                <th scope="col">{t('admin.tokens.prefix')}</th>
                <th scope="col">{t('admin.tokens.createdAt')}</th>
                <th scope="col">{t('admin.tokens.expiresAt')}</th>
                <th scope="col">{t('admin.tokens.lastUsedAt')}</th>
                <th scope="col">{t('admin.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((tok) => (
                <tr key={tok.id}>
                  <td>{tok.name}</td>
                  <td>
                    <code>{tok.prefix}…</code>
                  </td>
                  <td>{when(tok.createdAt, '—')}</td>
                  <td>{when(tok.expiresAt, t('admin.tokens.never'))}</td>
                  <td>{when(tok.lastUsedAt, t('admin.tokens.notUsed'))}</td>
                  <td className="nowrap">
                    {tok.revokedAt ? (
                      t('admin.tokens.revokedAt', { when: when(tok.revokedAt, '') })
                    ) : confirming === tok.id ? (
                      <span className="confirm">
                        <span>{t('admin.tokens.confirm')}</span>{' '}
                        <button
                          ref={confirmRef}
                          type="button"
                          className="small danger"
                          onClick={() => revoke(tok)}
                          disabled={busy}
                        >
                          {t('admin.tokens.yesRevoke')}
                        </button>{' '}
                        <button type="button" className="small secondary" onClick={() => setConfirming(null)}>
                          {t('admin.cancel')}
                        </button>
                      </span>
                    ) : (
                      <button
                        type="button"
                        className="small secondary"
                        onClick={() => setConfirming(tok.id)}
                        aria-label={t('admin.tokens.revokeLabel', { name: tok.name })}
                      >
                        {t('admin.tokens.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <section aria-labelledby="new-token-heading">
        <h2 id="new-token-heading">{t('admin.tokens.new')}</h2>
        <form className="form-grid" onSubmit={create}>
          <div className="field">
            <label htmlFor="token-name">{t('admin.tokens.name')}</label>
            <input
              id="token-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-describedby="token-name-hint"
            />
            <span id="token-name-hint" className="hint">
              {t('admin.tokens.nameHint')}
            </span>
          </div>
          <div className="field">
            <label htmlFor="token-days">{t('admin.tokens.days')}</label>
            <input
              id="token-days"
              inputMode="numeric"
              value={days}
              onChange={(e) => setDays(e.target.value)}
              aria-describedby="token-days-hint"
            />
            <span id="token-days-hint" className="hint">
              {t('admin.tokens.daysHint')}
            </span>
          </div>
          <div className="actions">
            <button type="submit" disabled={busy}>
              {t('admin.tokens.create')}
            </button>
          </div>
        </form>
      </section>
    </>
  );
}
