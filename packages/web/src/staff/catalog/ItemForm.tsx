import type { Static } from '@sinclair/typebox';
import type { ItemType as ItemTypeSchema } from '@stacks/contract';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { ErrorMessage } from '../Page.tsx';
import { useSession } from '../session.tsx';
import type { Item } from '../types.ts';

type ItemType = Static<typeof ItemTypeSchema>;

/** Statuses a cataloguer may set by hand (the others follow circulation). */
const EDITABLE_STATUSES = ['in_processing', 'available', 'missing', 'lost', 'damaged', 'withdrawn'] as const;

/** Empty text means "none" to the API. */
const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

/**
 * Adds a copy to a record (`item` absent) or changes one: barcode, branch, item type, call number,
 * location, copy and volume, status and public note. Saves through the API and hands back the saved item.
 */
export function ItemForm({
  recordId,
  item,
  onSaved,
  onCancel,
}: {
  recordId: string;
  item?: Item;
  onSaved(item: Item): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const { branches, branch } = useSession();
  const id = useId();
  const first = useRef<HTMLInputElement>(null);
  const [itemTypes, setItemTypes] = useState<ItemType[]>([]);
  const [barcode, setBarcode] = useState(item?.barcode ?? '');
  const [branchId, setBranchId] = useState(item?.branchId ?? branch.id);
  const [itemType, setItemType] = useState(item?.itemType ?? '');
  const [callNumber, setCallNumber] = useState(item?.callNumber ?? '');
  const [location, setLocation] = useState(item?.location ?? '');
  const [copyNumber, setCopyNumber] = useState(item?.copyNumber ?? '');
  const [volume, setVolume] = useState(item?.volume ?? '');
  const [status, setStatus] = useState<string>(item?.status ?? 'in_processing');
  const [publicNote, setPublicNote] = useState(item?.publicNote ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    first.current?.focus();
  }, []);

  useEffect(() => {
    call<ItemType[]>('itemTypes').then(
      (types) => {
        setItemTypes(types);
        setItemType((current) => current || (types[0]?.code ?? ''));
      },
      (e: unknown) => setError(errorText(e, t)),
    );
  }, [t]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    const fields = {
      barcode: barcode.trim(),
      branchId,
      itemType,
      callNumber: orNull(callNumber),
      location: orNull(location),
      copyNumber: orNull(copyNumber),
      volume: orNull(volume),
      publicNote: orNull(publicNote),
    };
    try {
      const saved = item
        ? await call<Item>('itemUpdate', {
            params: { id: item.id },
            body: { ...fields, ...(status !== item.status ? { status } : {}) },
          })
        : await call<Item>('itemAdd', { params: { id: recordId }, body: { ...fields, status } });
      onSaved(saved);
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  const statuses: readonly string[] =
    item && !(EDITABLE_STATUSES as readonly string[]).includes(item.status)
      ? [item.status, ...EDITABLE_STATUSES]
      : EDITABLE_STATUSES;
  const field = (name: string) => `${id}-${name}`;
  return (
    <form className="form-grid item-form" onSubmit={submit} aria-busy={busy} aria-labelledby={field('title')}>
      <h3 id={field('title')} className="full">
        {item ? t('itemForm.editTitle', { barcode: item.barcode }) : t('itemForm.addTitle')}
      </h3>
      <div className="field">
        <label htmlFor={field('barcode')}>{t('loan.barcode')}</label>
        <input
          ref={first}
          id={field('barcode')}
          value={barcode}
          onChange={(e) => setBarcode(e.target.value)}
          required
          maxLength={64}
          autoComplete="off"
        />
      </div>
      <div className="field">
        <label htmlFor={field('branch')}>{t('item.branch')}</label>
        <select id={field('branch')} value={branchId} onChange={(e) => setBranchId(e.target.value)}>
          {branches.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={field('type')}>{t('item.type')}</label>
        <select id={field('type')} value={itemType} onChange={(e) => setItemType(e.target.value)} required>
          {itemTypes.map((it) => (
            <option key={it.code} value={it.code}>
              {it.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={field('call')}>{t('item.callNumber')}</label>
        <input
          id={field('call')}
          value={callNumber}
          onChange={(e) => setCallNumber(e.target.value)}
          maxLength={200}
        />
      </div>
      <div className="field">
        <label htmlFor={field('location')}>{t('item.location')}</label>
        <input
          id={field('location')}
          value={location}
          onChange={(e) => setLocation(e.target.value)}
          maxLength={100}
        />
      </div>
      <div className="field">
        <label htmlFor={field('copy')}>{t('itemForm.copyNumber')}</label>
        <input
          id={field('copy')}
          value={copyNumber}
          onChange={(e) => setCopyNumber(e.target.value)}
          maxLength={32}
        />
      </div>
      <div className="field">
        <label htmlFor={field('volume')}>{t('itemForm.volume')}</label>
        <input
          id={field('volume')}
          value={volume}
          onChange={(e) => setVolume(e.target.value)}
          maxLength={100}
        />
      </div>
      <div className="field">
        <label htmlFor={field('status')}>{t('item.status')}</label>
        <select id={field('status')} value={status} onChange={(e) => setStatus(e.target.value)}>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {t(`itemStatus.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field full">
        <label htmlFor={field('note')}>{t('itemForm.publicNote')}</label>
        <input
          id={field('note')}
          value={publicNote}
          onChange={(e) => setPublicNote(e.target.value)}
          maxLength={1000}
        />
      </div>
      <div className="full">
        <ErrorMessage text={error} />
      </div>
      <p className="actions full">
        <button type="submit" disabled={busy}>
          {item ? t('itemForm.save') : t('itemForm.add')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('itemForm.cancel')}
        </button>
      </p>
    </form>
  );
}
