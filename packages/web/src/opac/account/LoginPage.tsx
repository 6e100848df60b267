import { type FormEvent, useRef, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { Link, navigate, safeNext } from '../router.tsx';
import { useSession } from '../session.tsx';
import { errorText, PageHeading, useDocumentTitle } from '../ui.tsx';

/**
 * Signing in with the library card number and PIN (`POST /api/patron/login`, which sets the session
 * cookie), then on to where the patron was going (`?next=/record/…?hold=1`) or to My account.
 */
export function LoginPage({ search }: { search: string }) {
  const { t } = useI18n();
  const session = useSession();
  const next = safeNext(new URLSearchParams(search).get('next'));
  const [card, setCard] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const cardInput = useRef<HTMLInputElement>(null);
  useDocumentTitle(t('login.title'));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (!card.trim() || !pin) {
      setError(t('login.missing'));
      (card.trim() ? null : cardInput.current)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await session.signIn(card.trim(), pin);
      navigate(next, { replace: true });
    } catch (e) {
      setError(errorText(e, t));
      setPin('');
      setBusy(false);
    }
  }

  return (
    <div className="narrow">
      <PageHeading>{t('login.title')}</PageHeading>
      {session.status === 'signed-in' && session.me ? (
        <p>
          {t('login.already', { name: session.me.patron.firstName })}{' '}
          <Link to={next}>{t('login.continue')}</Link>
        </p>
      ) : null}
      <p>{t('login.intro')}</p>
      <form onSubmit={submit} noValidate className="stacked-form">
        <div className="field">
          <label htmlFor="card">{t('login.card')}</label>
          <input
            id="card"
            ref={cardInput}
            name="username"
            autoComplete="username"
            value={card}
            onChange={(e) => setCard(e.target.value)}
            aria-invalid={error !== null && !card.trim()}
            aria-describedby={error ? 'login-error' : undefined}
            maxLength={64}
            required
          />
        </div>
        <div className="field">
          <label htmlFor="pin">{t('login.pin')}</label>
          <input
            id="pin"
            name="password"
            type="password"
            autoComplete="current-password"
            value={pin}
            onChange={(e) => setPin(e.target.value)}
            aria-describedby={error ? 'login-error' : undefined}
            maxLength={64}
            required
          />
        </div>
        <div role="alert" id="login-error" className="live">
          {error ? <p className="message message-error">{error}</p> : null}
        </div>
        <button type="submit" className="primary">
          {busy ? t('login.signingIn') : t('login.submit')}
        </button>
      </form>
      <p className="hint">{t('login.help')}</p>
    </div>
  );
}
