import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../common/api.ts';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { formatLocalDate } from '../format.ts';
import { ErrorMessage, PageHeading } from '../Page.tsx';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { DuplicateCandidate, Patron, PatronCategory } from '../types.ts';

interface Fields {
  firstName: string;
  lastName: string;
  birthDate: string;
  email: string;
  phone: string;
  address: string;
  categoryCode: string;
  homeBranchId: string;
  cardBarcode: string;
  pin: string;
}

/**
 * Registering a patron. When the server finds someone who looks the same (same name and birth date, or
 * the same e-mail: 409 PATRON_POSSIBLE_DUPLICATE), the candidates are shown with "Register anyway".
 */
export function PatronRegister() {
  const { t, language } = useI18n();
  const { branch, branches } = useSession();
  const [categories, setCategories] = useState<PatronCategory[]>([]);
  const [fields, setFields] = useState<Fields>({
    firstName: '',
    lastName: '',
    birthDate: '',
    email: '',
    phone: '',
    address: '',
    categoryCode: '',
    homeBranchId: branch.id,
    cardBarcode: '',
    pin: '',
  });
  const [error, setError] = useState<string | null>(null);
  const [duplicates, setDuplicates] = useState<{ message: string; candidates: DuplicateCandidate[] } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);
  const warningRef = useRef<HTMLHeadingElement>(null);
  const firstRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    call<PatronCategory[]>('patronCategories').then(
      (list) => {
        setCategories(list);
        setFields((f) => (f.categoryCode ? f : { ...f, categoryCode: list[0]?.code ?? '' }));
      },
      (e: unknown) => setError(errorText(e, t)),
    );
  }, [t]);

  useEffect(() => {
    if (duplicates) warningRef.current?.focus();
  }, [duplicates]);

  const set = (name: keyof Fields) => (e: { target: { value: string } }) =>
    setFields((f) => ({ ...f, [name]: e.target.value }));
  const orNull = (value: string) => (value.trim() === '' ? null : value.trim());

  async function register(allowDuplicate: boolean) {
    setBusy(true);
    setError(null);
    try {
      const patron = await call<Patron>('patronRegister', {
        body: {
          firstName: fields.firstName.trim(),
          lastName: fields.lastName.trim(),
          birthDate: orNull(fields.birthDate),
          email: orNull(fields.email),
          phone: orNull(fields.phone),
          address: orNull(fields.address),
          categoryCode: fields.categoryCode,
          homeBranchId: fields.homeBranchId,
          ...(orNull(fields.cardBarcode) ? { cardBarcode: orNull(fields.cardBarcode) } : {}),
          ...(orNull(fields.pin) ? { pin: orNull(fields.pin) } : {}),
          ...(allowDuplicate ? { allowDuplicate: true } : {}),
        },
      });
      navigate(`/staff/patrons/${patron.id}?registered=1`);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'PATRON_POSSIBLE_DUPLICATE') {
        const candidates = (e.details?.candidates ?? []) as DuplicateCandidate[];
        setDuplicates({ message: e.message, candidates });
      } else {
        setError(errorText(e, t));
      }
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setDuplicates(null);
    void register(false);
  }

  function changeDetails() {
    setDuplicates(null);
    firstRef.current?.focus();
  }

  const text = (name: keyof Fields, label: string, extra: Record<string, unknown> = {}, hint?: string) => (
    <div className="field">
      <label htmlFor={`reg-${name}`}>{label}</label>
      <input
        id={`reg-${name}`}
        value={fields[name]}
        onChange={set(name)}
        aria-describedby={hint ? `reg-${name}-hint` : undefined}
        {...extra}
      />
      {hint && (
        <p id={`reg-${name}-hint`} className="hint">
          {hint}
        </p>
      )}
    </div>
  );

  return (
    <>
      <PageHeading title={t('register.title')}>{t('register.title')}</PageHeading>
      <form className="form-grid" onSubmit={submit} aria-busy={busy} noValidate={false}>
        <div className="field">
          <label htmlFor="reg-firstName">{t('register.firstName')}</label>
          <input
            id="reg-firstName"
            ref={firstRef}
            value={fields.firstName}
            onChange={set('firstName')}
            required
            maxLength={100}
            autoComplete="off"
          />
        </div>
        {text('lastName', t('register.lastName'), { required: true, maxLength: 100, autoComplete: 'off' })}
        {text(
          'birthDate',
          t('register.birthDate'),
          { pattern: '\\d{4}-\\d{2}-\\d{2}', placeholder: 'YYYY-MM-DD', autoComplete: 'off' },
          t('register.birthDateHint'),
        )}
        {text('email', t('register.email'), { type: 'email', maxLength: 254, autoComplete: 'off' })}
        {text('phone', t('register.phone'), { type: 'tel', maxLength: 50, autoComplete: 'off' })}
        {text('address', t('register.address'), { maxLength: 500, autoComplete: 'off' })}
        <div className="field">
          <label htmlFor="reg-category">{t('register.category')}</label>
          <select id="reg-category" value={fields.categoryCode} onChange={set('categoryCode')} required>
            {categories.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="reg-branch">{t('register.homeBranch')}</label>
          <select id="reg-branch" value={fields.homeBranchId} onChange={set('homeBranchId')} required>
            {branches.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </div>
        {text(
          'cardBarcode',
          t('register.card'),
          { maxLength: 32, autoComplete: 'off' },
          t('register.cardHint'),
        )}
        {text(
          'pin',
          t('register.pin'),
          { minLength: 4, maxLength: 64, autoComplete: 'off' },
          t('register.pinHint'),
        )}
        <ErrorMessage text={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {t('register.submit')}
          </button>
          <Link href="/staff/patrons" className="button-link secondary">
            {t('register.cancel')}
          </Link>
        </div>
      </form>
      {duplicates && (
        <section className="warning-box" aria-labelledby="duplicate-heading">
          <h2 id="duplicate-heading" ref={warningRef} tabIndex={-1}>
            {t('register.duplicateTitle')}
          </h2>
          <p role="alert">{duplicates.message}</p>
          <div className="actions">
            <button type="button" onClick={() => register(true)} disabled={busy}>
              {t('register.anyway')}
            </button>
            <button type="button" className="secondary" onClick={changeDetails}>
              {t('register.change')}
            </button>
          </div>
          <h3>{t('register.candidates')}</h3>
          <ul>
            {duplicates.candidates.map((c) => (
              <li key={c.id}>
                <Link href={`/staff/patrons/${c.id}`}>{c.name}</Link> ·{' '}
                {t('register.candidateCard', { card: c.cardBarcode })}
                {c.birthDate && ` · ${formatLocalDate(c.birthDate, language)}`}
                {c.email && ` · ${c.email}`}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
