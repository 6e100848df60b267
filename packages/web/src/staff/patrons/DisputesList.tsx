import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import type { StaffUser } from '../admin/types.ts';
import { call } from '../call.ts';
import { formatInstant, formatMinor } from '../format.ts';
import { useSession } from '../session.tsx';
import type { AccountEntry, Dispute } from './account-types.ts';
import { Feedback, TextField, useAction } from './action.tsx';
import { parseMinor } from './money.ts';

type Outcome = 'upheld' | 'waived_part' | 'waived_whole';
const OUTCOMES: Outcome[] = ['upheld', 'waived_part', 'waived_whole'];

/**
 * The patron's disputes, open and closed, each with its charges, status, resolution and notes; staff
 * with `fines.collect` add notes, and with `fines.waive` resolve an open dispute. `onChanged` reloads
 * the account (a resolution moves the balance).
 */
export function DisputesList({
  disputes,
  lines,
  onChanged,
}: {
  disputes: Dispute[];
  lines: AccountEntry[];
  onChanged(): Promise<void>;
}) {
  const { t } = useI18n();
  const who = useActorNames(disputes.length > 0);
  if (disputes.length === 0) return null;
  return (
    <>
      <h3>{t('account.disputes', { count: disputes.length })}</h3>
      {disputes.map((d) => (
        <DisputeCard key={d.id} dispute={d} lines={lines} who={who} onChanged={onChanged} />
      ))}
    </>
  );
}

/**
 * Names for the API's actor strings (`staff:<id>`, `system:<job>`): the signed-in staff member's own
 * name, other staff members' names when this account may list them (`staff.read`), else the string.
 */
function useActorNames(wanted: boolean): (actor: string) => string {
  const { t } = useI18n();
  const { me, can } = useSession();
  const mayList = wanted && can('staff.read');
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    if (!mayList) return;
    call<StaffUser[]>('adminStaffUsers').then(
      (users) => setNames(new Map(users.map((u) => [`staff:${u.id}`, u.displayName]))),
      () => undefined, // the names are a nicety: without them the actor strings are shown
    );
  }, [mayList]);
  return useCallback(
    (actor: string) => {
      if (actor === `staff:${me.id}`) return me.displayName;
      if (actor.startsWith('system:')) return t('dispute.system');
      return names.get(actor) ?? actor;
    },
    [me, names, t],
  );
}

function DisputeCard({
  dispute: d,
  lines,
  who,
  onChanged,
}: {
  dispute: Dispute;
  lines: AccountEntry[];
  who(actor: string): string;
  onChanged(): Promise<void>;
}) {
  const { t, language } = useI18n();
  const { can, branch } = useSession();
  const action = useAction();
  const money = (minor: number) => formatMinor(minor, language);
  const when = (instant: string) => formatInstant(instant, language, branch.timeZone);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const base = `dispute-${d.id}`;
  const open = d.status === 'open';

  // After a resolution the forms go away: the focus moves to the dispute's heading, not to the page.
  const [justResolved, setJustResolved] = useState(false);
  useEffect(() => {
    if (justResolved && !open) {
      headingRef.current?.focus();
      setJustResolved(false);
    }
  }, [justResolved, open]);

  // ---- a note
  const [note, setNote] = useState('');
  const addNote = async (event: FormEvent) => {
    event.preventDefault();
    if (action.busy) return;
    if (!note.trim()) return action.refuse(t('dispute.noteNeeded'));
    await action.run(async () => {
      await call<Dispute>('disputeNote', { params: { id: d.id }, body: { text: note.trim() } });
      setNote('');
      await onChanged();
      return t('dispute.noteAdded');
    });
  };

  // ---- the resolution
  const [outcome, setOutcome] = useState<Outcome>('upheld');
  const [part, setPart] = useState('');
  const [resolution, setResolution] = useState('');
  const resolve = async (event: FormEvent) => {
    event.preventDefault();
    if (action.busy) return;
    let amountMinor: number | null = null;
    if (outcome === 'waived_part') {
      if (part.trim() === '') return action.refuse(t('dispute.partNeeded'));
      amountMinor = parseMinor(part);
      if (amountMinor === null) return action.refuse(t('account.badAmount', { text: part }));
    }
    if (!resolution.trim()) return action.refuse(t('dispute.resolutionNeeded'));
    await action.run(async () => {
      const result = await call<Dispute>('disputeResolve', {
        params: { id: d.id },
        body: {
          outcome,
          ...(amountMinor === null ? {} : { amountMinor }),
          resolution: resolution.trim(),
        },
      });
      setPart('');
      setResolution('');
      setJustResolved(true);
      await onChanged();
      return t(`dispute.resolved.${result.status}`, { amount: money(result.waivedMinor) });
    });
  };

  const charges = d.chargeIds.map((id) => {
    const line = lines.find((l) => l.id === id);
    return {
      id,
      text: line
        ? t('dispute.chargeLine', {
            kind: t(`account.kind.${line.kind}`),
            description: line.description,
            amount: money(line.amountMinor),
            owed: money(line.outstandingMinor),
          })
        : id,
    };
  });

  return (
    <section className="dispute" aria-labelledby={`${base}-heading`}>
      <h4 id={`${base}-heading`} ref={headingRef} tabIndex={-1}>
        {t(`account.disputeStatus.${d.status}`)}: {d.complaint}
      </h4>
      <dl className="facts">
        <div>
          <dt>{t('dispute.opened')}</dt>
          <dd>{t('dispute.byOn', { who: who(d.createdBy), when: when(d.createdAt) })}</dd>
        </div>
        <div>
          <dt>{t('dispute.owed')}</dt>
          <dd>{money(d.outstandingMinor)}</dd>
        </div>
        {!open && (
          <>
            <div>
              <dt>{t('dispute.resolvedTitle')}</dt>
              <dd>
                {d.resolvedBy && d.resolvedAt
                  ? t('dispute.byOn', { who: who(d.resolvedBy), when: when(d.resolvedAt) })
                  : '—'}
              </dd>
            </div>
            <div>
              <dt>{t('dispute.waived')}</dt>
              <dd>{money(d.waivedMinor)}</dd>
            </div>
          </>
        )}
      </dl>
      {d.resolution && (
        <p>
          <strong>{t('dispute.resolution')}:</strong> {d.resolution}
        </p>
      )}
      <p className="dispute-sub">{t('dispute.charges')}</p>
      <ul>
        {charges.map((c) => (
          <li key={c.id}>{c.text}</li>
        ))}
      </ul>
      <p className="dispute-sub">{t('dispute.notes', { count: d.notes.length })}</p>
      {d.notes.length === 0 ? (
        <p className="note">{t('dispute.noNotes')}</p>
      ) : (
        <ul>
          {d.notes.map((n) => (
            <li key={n.id}>
              {n.text}{' '}
              <span className="note">
                — {t('dispute.byOn', { who: who(n.author), when: when(n.createdAt) })}
              </span>
            </li>
          ))}
        </ul>
      )}

      <Feedback done={action.done} error={action.error} />

      {can('fines.collect') && (
        <form className="form-grid" onSubmit={addNote}>
          <TextField
            id={`${base}-note`}
            label={t('dispute.newNote')}
            value={note}
            onChange={setNote}
            required
            maxLength={2000}
          />
          <div className="actions">
            <button type="submit" className="secondary" disabled={action.busy}>
              {t('dispute.addNote')}
            </button>
          </div>
        </form>
      )}

      {open && can('fines.waive') && (
        <form className="form-grid" onSubmit={resolve} aria-labelledby={`${base}-resolve-heading`}>
          <h5 id={`${base}-resolve-heading`} className="actions">
            {t('dispute.resolveTitle')}
          </h5>
          <fieldset className="radio-list">
            <legend>{t('dispute.outcome')}</legend>
            {OUTCOMES.map((o) => (
              <div key={o} className="radio-field">
                <input
                  id={`${base}-outcome-${o}`}
                  type="radio"
                  name={`${base}-outcome`}
                  value={o}
                  checked={outcome === o}
                  onChange={() => setOutcome(o)}
                />
                <label htmlFor={`${base}-outcome-${o}`}>{t(`dispute.outcome.${o}`)}</label>
              </div>
            ))}
          </fieldset>
          {outcome === 'waived_part' && (
            <TextField
              id={`${base}-part`}
              label={t('dispute.partAmount')}
              value={part}
              onChange={setPart}
              decimal
              required
              hint={t('dispute.partAmountHint', { owed: money(d.outstandingMinor) })}
            />
          )}
          <TextField
            id={`${base}-resolution`}
            label={t('dispute.resolutionNote')}
            value={resolution}
            onChange={setResolution}
            required
            maxLength={2000}
          />
          <div className="actions">
            <button type="submit" disabled={action.busy}>
              {t('dispute.resolve')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
