import type { Static } from '@sinclair/typebox';
import type { Hold as HoldSchema } from '@stacks/contract';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import type { EndpointSpec } from '../../common/api.ts';
import { type Translate, useI18n } from '../../common/i18n.ts';
import { useBranches } from '../branches.ts';
import { OPAC_ENDPOINTS } from '../endpoints.ts';
import { formatDate } from '../format.ts';
import { Link } from '../router.tsx';
import { errorText, LiveMessage, type Outcome } from '../ui.tsx';
import { usePatronRequest } from './use-patron-request.ts';

type Hold = Static<typeof HoldSchema>;
type Loaded = { state: 'loading' } | { state: 'ready'; holds: Hold[] } | { state: 'failed'; error: string };

/** The server's date for "suspended until I resume it". */
const INDEFINITELY = '9999-12-31';

/** A hold's state in words: its place in the queue, suspended, on its way, or ready to collect. */
function holdState(hold: Hold, t: Translate, branch: string, language: 'en' | 'es'): string {
  if (hold.status === 'waiting') {
    if (hold.suspendedUntil)
      return hold.suspendedUntil >= INDEFINITELY
        ? t('holds.suspended')
        : t('holds.suspendedUntil', { date: formatDate(hold.suspendedUntil, language) });
    return hold.queuePosition === null ? t('holds.waiting') : t('holds.queue', { n: hold.queuePosition });
  }
  if (hold.status === 'in_transit') return t('holds.inTransit', { branch });
  if (hold.status === 'ready')
    return hold.shelfExpiresOn
      ? t('holds.readyUntil', { branch, date: formatDate(hold.shelfExpiresOn, language) })
      : t('holds.ready', { branch });
  const key = `holds.status.${hold.status}`;
  return t(key) === key ? hold.status : t(key);
}

/**
 * My holds with what I can do to each: cancel it, suspend and resume it while it waits, or change
 * where I collect it. Each outcome (a refusal included, in the API's words) is announced.
 */
export function HoldsSection() {
  const { t, language } = useI18n();
  const call = usePatronRequest();
  const { branches, branchName } = useBranches();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(
    () =>
      call<Hold[]>(OPAC_ENDPOINTS.myHolds)
        .then((holds) => setLoaded({ state: 'ready', holds }))
        .catch((error: unknown) => setLoaded({ state: 'failed', error: errorText(error, t) })),
    [call, t],
  );
  useEffect(() => {
    void load();
  }, [load]);

  async function act(hold: Hold, endpoint: EndpointSpec, body: unknown, done: (t: Translate) => string) {
    if (busy) return;
    setBusy(true);
    setOutcome(null);
    try {
      await call<Hold>(endpoint, { params: { id: hold.id }, body });
      await load();
      setOutcome({ kind: 'ok', text: done });
    } catch (error) {
      setOutcome({
        kind: 'error',
        text: (t) => t('holds.refused', { title: hold.title, reason: errorText(error, t) }),
      });
    } finally {
      setBusy(false);
    }
  }

  async function cancel(hold: Hold) {
    await act(hold, OPAC_ENDPOINTS.myCancelHold, undefined, (t) =>
      t('holds.cancelled', { title: hold.title }),
    );
    // The hold and its buttons are gone: continue from the section's heading.
    heading.current?.focus();
  }

  return (
    <section aria-labelledby="holds-heading" className="account-section">
      <h2 id="holds-heading" ref={heading} tabIndex={-1}>
        {t('holds.heading')}
      </h2>
      <LiveMessage outcome={outcome} />
      {loaded.state === 'loading' ? (
        <p>{t('common.loading')}</p>
      ) : loaded.state === 'failed' ? (
        <p className="message message-error">{loaded.error}</p>
      ) : loaded.holds.length === 0 ? (
        <p>{t('holds.none')}</p>
      ) : (
        <ul className="cards">
          {loaded.holds.map((hold) => {
            const titleId = `hold-${hold.id}`;
            const branch = branchName(hold.pickupBranchId);
            const suspended = hold.status === 'waiting' && hold.suspendedUntil !== null;
            return (
              <li key={hold.id} className={hold.status === 'ready' ? 'card ready' : 'card'}>
                <h3 id={titleId}>
                  <Link to={`/record/${hold.recordId}`}>{hold.title}</Link>
                </h3>
                {hold.author ? <p className="byline">{hold.author}</p> : null}
                <p className="hold-state">{holdState(hold, t, branch, language)}</p>
                <p className="meta">
                  {t('holds.pickupAt', { branch })}
                  {' · '}
                  {t('holds.placedOn', { date: formatDate(hold.createdAt.slice(0, 10), language) })}
                </p>
                <div className="actions">
                  {hold.status === 'waiting' ? (
                    <button
                      type="button"
                      aria-describedby={titleId}
                      onClick={() =>
                        suspended
                          ? act(hold, OPAC_ENDPOINTS.myResumeHold, undefined, (t) =>
                              t('holds.resumed', { title: hold.title }),
                            )
                          : act(hold, OPAC_ENDPOINTS.mySuspendHold, {}, (t) =>
                              t('holds.suspendedNow', { title: hold.title }),
                            )
                      }
                    >
                      {suspended ? t('holds.resume') : t('holds.suspend')}
                    </button>
                  ) : null}
                  <button type="button" aria-describedby={titleId} onClick={() => cancel(hold)}>
                    {t('holds.cancel')}
                  </button>
                </div>
                {hold.status === 'waiting' && branches.length > 1 ? (
                  <PickupChange
                    hold={hold}
                    choices={branches.map((b) => b.id)}
                    branchName={branchName}
                    onChange={(pickupBranchId) =>
                      act(hold, OPAC_ENDPOINTS.myHoldPickup, { pickupBranchId }, (t) =>
                        t('holds.pickupChanged', { title: hold.title, branch: branchName(pickupBranchId) }),
                      )
                    }
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function PickupChange({
  hold,
  choices,
  branchName,
  onChange,
}: {
  hold: Hold;
  choices: string[];
  branchName(id: string): string;
  onChange(branchId: string): void;
}) {
  const { t } = useI18n();
  const [value, setValue] = useState(hold.pickupBranchId);
  const selectId = `pickup-${hold.id}`;
  function submit(event: FormEvent) {
    event.preventDefault();
    if (value !== hold.pickupBranchId) onChange(value);
  }
  return (
    <form className="inline-form" onSubmit={submit}>
      <label htmlFor={selectId}>{t('holds.changePickup')}</label>
      <select id={selectId} value={value} onChange={(e) => setValue(e.target.value)}>
        {[...choices]
          .sort((a, b) => branchName(a).localeCompare(branchName(b)))
          .map((id) => (
            <option key={id} value={id}>
              {branchName(id)}
            </option>
          ))}
      </select>
      <button type="submit" aria-describedby={`hold-${hold.id}`}>
        {t('holds.change')}
      </button>
    </form>
  );
}
