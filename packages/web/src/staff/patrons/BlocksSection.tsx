import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { formatInstant, formatLocalDate } from '../format.ts';
import { ErrorMessage } from '../Page.tsx';
import { useSession } from '../session.tsx';
import type { Patron } from '../types.ts';
import type { PatronBlock, ReplaceCardResponse } from './account-types.ts';
import { Feedback, useAction } from './action.tsx';
import { endpointHref, newIdempotencyKey, parseMinor } from './money.ts';

/**
 * The patron's manual blocks (staff put them on with a reason and lift them), for staff with
 * `patrons.manage`. Automatic blocks (expiry, fines, overdues) show in the desk summary and end by
 * themselves.
 */
export function BlocksSection({ patronId, onChanged }: { patronId: string; onChanged(): void }) {
  const { t, language } = useI18n();
  const { branch } = useSession();
  const [blocks, setBlocks] = useState<PatronBlock[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const action = useAction();

  const load = useCallback(async () => {
    try {
      setBlocks(
        await call<PatronBlock[]>('patronBlocks', {
          params: { id: patronId },
          query: { includeLifted: false },
        }),
      );
      setLoadError(null);
    } catch (e) {
      setLoadError(errorText(e, t));
    }
  }, [patronId, t]);

  useEffect(() => {
    void load();
  }, [load]);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (action.busy) return;
    if (!reason.trim()) return action.refuse(t('blocks.reasonNeeded'));
    await action.run(async () => {
      await call<PatronBlock>('patronBlockAdd', {
        params: { id: patronId },
        body: { reason: reason.trim() },
      });
      setReason('');
      await load();
      onChanged();
      return t('blocks.added');
    });
  };

  const lift = (block: PatronBlock) =>
    action.run(async () => {
      await call<PatronBlock>('patronBlockLift', { params: { id: patronId, blockId: block.id } });
      await load();
      onChanged();
      return t('blocks.lifted', { reason: block.reason });
    });

  return (
    <section aria-labelledby="blocks-heading">
      <h2 id="blocks-heading">{t('blocks.title')}</h2>
      <ErrorMessage text={loadError} />
      {blocks && blocks.length === 0 && <p>{t('blocks.none')}</p>}
      {blocks && blocks.length > 0 && (
        <ul className="block-list">
          {blocks.map((b) => (
            <li key={b.id}>
              <span>
                {b.reason}{' '}
                <span className="note">
                  {t('blocks.since', { when: formatInstant(b.createdAt, language, branch.timeZone) })}
                </span>
              </span>{' '}
              <button
                type="button"
                className="small secondary"
                disabled={action.busy}
                onClick={() => void lift(b)}
              >
                {t('blocks.lift', { reason: b.reason })}
              </button>
            </li>
          ))}
        </ul>
      )}
      <Feedback done={action.done} error={action.error} />
      <form className="inline-form" onSubmit={add}>
        <label htmlFor="block-reason">{t('blocks.reason')}</label>
        <input
          id="block-reason"
          autoComplete="off"
          maxLength={500}
          aria-required="true"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        <button type="submit" disabled={action.busy}>
          {t('blocks.add')}
        </button>
      </form>
      <p className="hint">{t('blocks.hint')}</p>
    </section>
  );
}

/**
 * Membership and card: renew the membership, replace the card (a new barcode, or the next one, with an
 * optional fee), print the card, and edit the contact details and staff notes.
 */
export function MembershipSection({
  patron,
  onChanged,
}: {
  patron: Patron;
  onChanged(patron: Patron): void;
}) {
  const { t, language } = useI18n();
  const action = useAction();
  const [newCard, setNewCard] = useState('');
  const [cardReason, setCardReason] = useState('');
  const [cardFee, setCardFee] = useState('');
  const [contact, setContact] = useState({
    email: patron.email ?? '',
    phone: patron.phone ?? '',
    address: patron.address ?? '',
    notes: patron.notes ?? '',
  });

  // A fresh idempotency key per click, so a request repeated on the way renews once.
  const renew = () =>
    action.run(async () => {
      const renewed = await call<Patron>('patronRenew', {
        params: { id: patron.id },
        body: { idempotencyKey: newIdempotencyKey() },
      });
      onChanged(renewed);
      return t('membership.renewed', { date: formatLocalDate(renewed.expiresOn, language) });
    });

  const replace = async (event: FormEvent) => {
    event.preventDefault();
    if (action.busy) return;
    let feeMinor: number | undefined;
    if (cardFee.trim() !== '') {
      const parsed = parseMinor(cardFee);
      if (parsed === null) return action.refuse(t('account.badAmount', { text: cardFee }));
      feeMinor = parsed;
    }
    await action.run(async () => {
      const result = await call<ReplaceCardResponse>('patronCardReplace', {
        params: { id: patron.id },
        body: {
          cardBarcode: newCard.trim() || null,
          reason: cardReason.trim() || null,
          ...(feeMinor === undefined ? {} : { feeMinor }),
        },
      });
      setNewCard('');
      setCardReason('');
      setCardFee('');
      onChanged(result.patron);
      return t('membership.replaced', { card: result.card.barcode });
    });
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (action.busy) return;
    const value = (s: string) => (s.trim() === '' ? null : s.trim());
    const changes: Record<string, string | null> = {};
    for (const key of ['email', 'phone', 'address', 'notes'] as const)
      if (value(contact[key]) !== patron[key]) changes[key] = value(contact[key]);
    if (Object.keys(changes).length === 0) return action.refuse(t('contact.nothingChanged'));
    await action.run(async () => {
      const saved = await call<Patron>('patronUpdate', { params: { id: patron.id }, body: changes });
      onChanged(saved);
      return t('contact.saved');
    });
  };

  const field = (key: 'email' | 'phone' | 'address', type: string, max: number) => (
    <div className="field">
      <label htmlFor={`contact-${key}`}>{t(`patron.${key}`)}</label>
      <input
        id={`contact-${key}`}
        type={type}
        maxLength={max}
        value={contact[key]}
        onChange={(e) => setContact({ ...contact, [key]: e.target.value })}
      />
    </div>
  );

  return (
    <section aria-labelledby="membership-heading">
      <h2 id="membership-heading">{t('membership.title')}</h2>
      <Feedback done={action.done} error={action.error} />
      <p className="actions">
        <button type="button" onClick={() => void renew()} disabled={action.busy}>
          {t('membership.renew')}
        </button>
        <a
          className="button-link secondary"
          href={endpointHref('patronCardPdf', { id: patron.id })}
          target="_blank"
          rel="noopener"
        >
          {t('membership.printCard')}
        </a>
      </p>

      <form className="form-grid" onSubmit={replace} aria-labelledby="card-heading">
        <h3 id="card-heading" className="actions">
          {t('membership.replaceTitle')}
        </h3>
        <div className="field">
          <label htmlFor="card-barcode">{t('membership.newCard')}</label>
          <input
            id="card-barcode"
            autoComplete="off"
            maxLength={32}
            value={newCard}
            aria-describedby="card-barcode-hint"
            onChange={(e) => setNewCard(e.target.value)}
          />
          <span id="card-barcode-hint" className="hint">
            {t('membership.newCardHint')}
          </span>
        </div>
        <div className="field">
          <label htmlFor="card-reason">{t('membership.cardReason')}</label>
          <input
            id="card-reason"
            autoComplete="off"
            maxLength={200}
            value={cardReason}
            onChange={(e) => setCardReason(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="card-fee">{t('membership.cardFee')}</label>
          <input
            id="card-fee"
            inputMode="decimal"
            autoComplete="off"
            value={cardFee}
            onChange={(e) => setCardFee(e.target.value)}
          />
        </div>
        <div className="actions">
          <button type="submit" disabled={action.busy}>
            {t('membership.replace')}
          </button>
        </div>
      </form>

      <form className="form-grid" onSubmit={save} aria-labelledby="contact-heading">
        <h3 id="contact-heading" className="actions">
          {t('contact.title')}
        </h3>
        {field('email', 'email', 254)}
        {field('phone', 'tel', 50)}
        {field('address', 'text', 500)}
        <div className="field">
          <label htmlFor="contact-notes">{t('patron.notes')}</label>
          <textarea
            id="contact-notes"
            rows={3}
            maxLength={4000}
            value={contact.notes}
            onChange={(e) => setContact({ ...contact, notes: e.target.value })}
          />
        </div>
        <div className="actions">
          <button type="submit" disabled={action.busy}>
            {t('contact.save')}
          </button>
        </div>
      </form>
    </section>
  );
}
