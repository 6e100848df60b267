import { type FormEvent, useState } from 'react';
import { useI18n } from '../common/i18n.ts';
import { call, errorText } from './call.ts';
import { ErrorMessage, PageHeading } from './Page.tsx';
import type { Me } from './types.ts';

/** Staff log-in with user name and password (the server sets an HttpOnly session cookie). */
export function Login({ onLoggedIn }: { onLoggedIn(me: Me): void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await call<Me>('login', { body: { username, password } }));
    } catch (e) {
      setError(errorText(e, t));
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="narrow">
      <PageHeading focus={false} title={t('login.title')}>
        {t('login.title')}
      </PageHeading>
      <form onSubmit={submit} className="stack" aria-busy={busy}>
        <label htmlFor="login-username">{t('login.username')}</label>
        <input
          id="login-username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="username"
          required
          maxLength={64}
          // biome-ignore lint/a11y/noAutofocus: the log-in page has one thing to do.
          autoFocus
        />
        <label htmlFor="login-password">{t('login.password')}</label>
        <input
          id="login-password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
          required
          maxLength={256}
        />
        <ErrorMessage text={error} />
        <button type="submit" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </div>
  );
}
