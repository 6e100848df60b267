import { type FormEvent, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { ApiError } from '../../common/api.ts';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { formatInstant, formatLocalDate, formatMinor } from '../format.ts';
import { navigate, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import type {
  CheckinResponse,
  CheckoutResponse,
  Patron,
  PatronAtDesk,
  Refusal,
  RenewResponse,
} from '../types.ts';
import { beep } from './beep.ts';
import { fullName, PatronSummary } from './PatronSummary.tsx';
import { needsSlip, PrintSheet, Receipt, Slip } from './PrintSheets.tsx';

type Mode = 'checkout' | 'checkin';

interface Feedback {
  tone: 'ok' | 'error' | 'info';
  text: string;
  details?: string[];
}

/** A refused checkout or renewal that the staff member may override with a reason. */
interface PendingOverride {
  kind: 'checkout' | 'renew';
  itemBarcode: string;
  refusals: Refusal[];
}

interface Returned {
  key: number;
  result: CheckinResponse;
}

/** Where the sound choice is remembered on this computer (off unless turned on). */
const SOUND_KEY = 'stacks.staff.sound';

/** The refusals of a refused checkout or renewal (`details.refusals`), or none. */
function refusalsOf(error: unknown): Refusal[] {
  if (!(error instanceof ApiError)) return [];
  const refusals = error.details?.refusals;
  return Array.isArray(refusals) ? (refusals as Refusal[]) : [];
}

/**
 * The circulation desk, built for a barcode scanner (a keyboard that types digits and Enter): one scan
 * field that always has the focus. In check-out mode the first scan is the patron's card, then each scan
 * is an item; in check-in mode each scan is a returned item, shown with where it goes next. Scans are
 * handled one after another in the order they came, however fast they arrive.
 */
export function Desk() {
  const { t, language } = useI18n();
  const session = useSession();
  const { branch } = session;
  const { query } = useLocation();

  const [mode, setModeState] = useState<Mode>('checkout');
  const modeRef = useRef<Mode>('checkout');
  const [patron, setPatronState] = useState<PatronAtDesk | null>(null);
  const patronRef = useRef<PatronAtDesk | null>(null);
  const [checkouts, setCheckouts] = useState<CheckoutResponse[]>([]);
  const [returns, setReturns] = useState<Returned[]>([]);
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const [pending, setPendingState] = useState<PendingOverride | null>(null);
  const pendingRef = useRef<PendingOverride | null>(null);
  const [overrideOpen, setOverrideOpen] = useState(false);
  const overrideOpenRef = useRef(false);
  const [reason, setReason] = useState('');
  const [receiptShown, setReceiptShown] = useState(false);
  const [printedAt, setPrintedAt] = useState(() => new Date().toISOString());
  const [slipKey, setSlipKey] = useState<number | null>(null);
  const [sound, setSoundState] = useState(() => globalThis.localStorage?.getItem(SOUND_KEY) === 'on');
  const soundRef = useRef(sound);
  const [scan, setScan] = useState('');
  const [busy, setBusy] = useState(0);
  const scanRef = useRef<HTMLInputElement>(null);
  const reasonRef = useRef<HTMLInputElement>(null);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const returnKey = useRef(0);
  const preloaded = useRef(false);

  // State that queued scans read is kept in refs too: a scan queued behind another must see what the
  // earlier one did, before React has rendered it.
  const setMode = (value: Mode) => {
    modeRef.current = value;
    setModeState(value);
  };
  const setPatron = (value: PatronAtDesk | null) => {
    patronRef.current = value;
    setPatronState(value);
  };
  const setPending = (value: PendingOverride | null) => {
    pendingRef.current = value;
    setPendingState(value);
  };
  const setOverride = (open: boolean) => {
    overrideOpenRef.current = open;
    setOverrideOpen(open);
  };

  const focusScan = () => scanRef.current?.focus();
  const due = (iso: string) => formatInstant(iso, language, branch.timeZone);

  function say(tone: Feedback['tone'], text: string, details?: string[]) {
    setFeedback({ tone, text, ...(details && details.length > 0 ? { details } : {}) });
    if (soundRef.current) beep(tone === 'error' ? 'error' : 'ok');
  }

  /** Runs desk work after the work already queued; the scan field gets the focus back afterwards. */
  function enqueue(task: () => Promise<void>) {
    setBusy((n) => n + 1);
    queue.current = queue.current
      .then(task)
      .catch((error: unknown) => say('error', errorText(error, t)))
      .finally(() => {
        setBusy((n) => n - 1);
        if (!overrideOpenRef.current) focusScan();
      });
  }

  async function deskView(patronId: string): Promise<PatronAtDesk> {
    return call<PatronAtDesk>('patronAtDesk', { params: { id: patronId }, query: { branchId: branch.id } });
  }

  function showPatron(desk: PatronAtDesk) {
    setPatron(desk);
    setCheckouts([]);
    setReceiptShown(false);
    setPending(null);
    const name = fullName(desk.patron);
    say(
      'info',
      desk.blocks.length > 0
        ? t('desk.patronLoadedBlocked', { name, count: desk.blocks.length })
        : t('desk.patronLoaded', { name }),
    );
  }

  async function loadPatron(card: string) {
    try {
      const found = await call<Patron>('patronByCard', { params: { barcode: card } });
      showPatron(await deskView(found.id));
    } catch (error) {
      say('error', errorText(error, t));
    }
  }

  async function refreshPatron() {
    const current = patronRef.current;
    if (!current) return;
    try {
      setPatron(await deskView(current.patron.id));
    } catch {
      // The checkout itself succeeded; the list catches up with the next scan.
    }
  }

  function refused(kind: PendingOverride['kind'], itemBarcode: string, error: unknown, headline: string) {
    const refusals = refusalsOf(error);
    if (refusals.length === 0) {
      setPending(null);
      say('error', errorText(error, t));
      return;
    }
    const overridable = refusals.every((r) => r.overridable) && session.can('circulation.override');
    setPending(overridable ? { kind, itemBarcode, refusals } : null);
    say(
      'error',
      headline,
      refusals.map((r) => r.message),
    );
  }

  async function checkout(itemBarcode: string, overrideReason?: string) {
    const current = patronRef.current;
    if (!current) return;
    try {
      const result = await call<CheckoutResponse>('checkout', {
        body: {
          patronBarcode: current.patron.cardBarcode,
          itemBarcode,
          branchId: branch.id,
          ...(overrideReason ? { override: { reason: overrideReason } } : {}),
        },
      });
      setCheckouts((list) => [...list, result]);
      setReceiptShown(false);
      setPending(null);
      const notes = [
        ...(result.dueDateNote ? [result.dueDateNote] : []),
        ...(result.filledHoldId ? [t('desk.holdFilled')] : []),
        ...(result.overridden.length > 0
          ? [t('desk.overridden', { refusals: result.overridden.map((r) => r.message).join('; ') })]
          : []),
      ];
      say('ok', t('desk.checkedOut', { title: result.loan.title, due: due(result.loan.dueAt) }), notes);
      await refreshPatron();
    } catch (error) {
      if (!overrideReason && error instanceof ApiError && error.code === 'ITEM_NOT_FOUND') {
        // Not an item: perhaps the next patron's card, scanned without pressing Esc first.
        try {
          const other = await call<Patron>('patronByCard', { params: { barcode: itemBarcode } });
          showPatron(await deskView(other.id));
          return;
        } catch {
          // Neither an item nor a card: say what the checkout said.
        }
      }
      refused('checkout', itemBarcode, error, t('desk.notCheckedOut', { barcode: itemBarcode }));
    }
  }

  async function renew(itemBarcode: string, overrideReason?: string) {
    try {
      const result = await call<RenewResponse>('renew', {
        body: { itemBarcode, ...(overrideReason ? { override: { reason: overrideReason } } : {}) },
      });
      setCheckouts((list) =>
        list.map((c) => (c.loan.id === result.loan.id ? { ...c, loan: result.loan } : c)),
      );
      setPending(null);
      say(
        'ok',
        t('desk.renewed', { title: result.loan.title, due: due(result.loan.dueAt) }),
        result.dueDateNote ? [result.dueDateNote] : undefined,
      );
      await refreshPatron();
    } catch (error) {
      refused('renew', itemBarcode, error, t('desk.notRenewed', { barcode: itemBarcode }));
    }
  }

  function routingText(result: CheckinResponse): string {
    const r = result.routing;
    switch (r.action) {
      case 'hold_shelf':
        return t('route.holdShelf', {
          name: r.patronName ?? '',
          card: r.patronBarcode ?? '',
          date: r.shelfExpiresOn ? formatLocalDate(r.shelfExpiresOn, language) : '—',
        });
      case 'transit':
        return r.patronName
          ? t('route.transitHold', { branch: r.toBranchName ?? '', name: r.patronName })
          : t('route.transit', { branch: r.toBranchName ?? '' });
      case 'reshelve':
        return t('route.reshelve');
      default:
        return t('route.keep', { message: r.message ?? r.status ?? '' });
    }
  }

  async function checkin(itemBarcode: string) {
    try {
      const result = await call<CheckinResponse>('checkin', { body: { itemBarcode, branchId: branch.id } });
      const key = ++returnKey.current;
      setReturns((list) => [{ key, result }, ...list].slice(0, 100));
      if (needsSlip(result)) setSlipKey(key);
      const details = [...result.messages];
      say('ok', t('desk.checkedIn', { title: result.item.title, where: routingText(result) }), details);
    } catch (error) {
      say('error', errorText(error, t));
    }
  }

  function submitScan(event: FormEvent) {
    event.preventDefault();
    const code = scan.trim();
    setScan('');
    focusScan();
    if (!code) return;
    if (overrideOpenRef.current) setOverride(false);
    enqueue(async () => {
      if (modeRef.current === 'checkin') return checkin(code);
      if (!patronRef.current) return loadPatron(code);
      return checkout(code);
    });
  }

  function switchMode(next: Mode) {
    setMode(next);
    setPending(null);
    setOverride(false);
    setFeedback(null);
    focusScan();
  }

  function newPatron() {
    setPatron(null);
    setCheckouts([]);
    setReceiptShown(false);
    setPending(null);
    setFeedback({ tone: 'info', text: t('desk.readyForPatron') });
    focusScan();
  }

  function openOverride() {
    if (!pendingRef.current) return;
    setReason('');
    flushSync(() => setOverride(true));
    reasonRef.current?.focus();
  }

  function closeOverride() {
    setOverride(false);
    focusScan();
  }

  function submitOverride(event: FormEvent) {
    event.preventDefault();
    const current = pendingRef.current;
    const why = reason.trim();
    if (!current || why.length < 3) return;
    setOverride(false);
    focusScan();
    enqueue(() =>
      current.kind === 'checkout' ? checkout(current.itemBarcode, why) : renew(current.itemBarcode, why),
    );
  }

  function printReceipt() {
    if (checkouts.length === 0) {
      say('error', t('desk.nothingToPrint'));
      focusScan();
      return;
    }
    flushSync(() => {
      setPrintedAt(new Date().toISOString());
      setReceiptShown(true);
    });
    window.print();
    focusScan();
  }

  function printSlip(key: number | null) {
    if (key === null) {
      say('error', t('desk.noSlip'));
      focusScan();
      return;
    }
    flushSync(() => setSlipKey(key));
    window.print();
    focusScan();
  }

  function toggleSound() {
    const next = !soundRef.current;
    soundRef.current = next;
    setSoundState(next);
    globalThis.localStorage?.setItem(SOUND_KEY, next ? 'on' : 'off');
    if (next) beep('ok');
    focusScan();
  }

  // The desk's function keys. Registered anew each render, so each handler sees the current state.
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.key === 'F2') {
        event.preventDefault();
        switchMode('checkout');
      } else if (event.key === 'F3') {
        event.preventDefault();
        switchMode('checkin');
      } else if (event.key === 'F8') {
        event.preventDefault();
        openOverride();
      } else if (event.key === 'F9') {
        event.preventDefault();
        if (modeRef.current === 'checkout') printReceipt();
        else printSlip(returns[0] && needsSlip(returns[0].result) ? returns[0].key : slipKey);
      } else if (event.key === 'Escape') {
        event.preventDefault();
        if (overrideOpenRef.current) closeOverride();
        else if (modeRef.current === 'checkout') newPatron();
        else {
          setReturns([]);
          setSlipKey(null);
          setFeedback(null);
          focusScan();
        }
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  // `/staff/?card=…` (from a patron's page) starts a checkout for that patron.
  useEffect(() => {
    const card = query.get('card');
    if (!card || preloaded.current) return;
    preloaded.current = true;
    window.history.replaceState(null, '', '/staff/');
    enqueue(() => loadPatron(card));
  });

  useEffect(() => {
    document.title = `${t(mode === 'checkout' ? 'desk.checkout' : 'desk.checkin')} · ${t('app.name')}`;
  }, [mode, t]);

  const scanLabel = mode === 'checkin' ? t('scan.returned') : patron ? t('scan.item') : t('scan.patron');
  const scanHint =
    mode === 'checkin' ? t('scan.returnedHint') : patron ? t('scan.itemHint') : t('scan.patronHint');
  const latest = returns[0];
  const slipShown = latest && needsSlip(latest.result) ? latest : undefined;
  const toPrint = returns.find((r) => r.key === slipKey);

  return (
    <div className="desk">
      <h1>
        {t('desk.title')}: {t(mode === 'checkout' ? 'desk.checkout' : 'desk.checkin')}
      </h1>

      <div className="desk-bar">
        <fieldset className="mode-switch">
          <legend className="visually-hidden">{t('desk.mode')}</legend>
          <button type="button" aria-pressed={mode === 'checkout'} onClick={() => switchMode('checkout')}>
            {t('desk.checkout')} <kbd>F2</kbd>
          </button>
          <button type="button" aria-pressed={mode === 'checkin'} onClick={() => switchMode('checkin')}>
            {t('desk.checkin')} <kbd>F3</kbd>
          </button>
        </fieldset>
        <label className="toggle">
          <input type="checkbox" checked={sound} onChange={toggleSound} /> {t('desk.sound')}
        </label>
      </div>

      <form className="scan" onSubmit={submitScan} aria-busy={busy > 0}>
        <label htmlFor="scan-field">{scanLabel}</label>
        <div className="scan-row">
          <input
            id="scan-field"
            ref={scanRef}
            value={scan}
            onChange={(e) => setScan(e.target.value)}
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            // biome-ignore lint/a11y/noAutofocus: the desk is driven by a scanner; the scan field must have the focus.
            autoFocus
            aria-describedby="scan-hint"
          />
          <button type="submit">{t('scan.enter')}</button>
        </div>
        <p id="scan-hint" className="hint">
          {scanHint}
        </p>
      </form>

      <div className={`feedback ${feedback ? `feedback-${feedback.tone}` : ''}`}>
        <div role="status" aria-live="polite" aria-atomic="true">
          {feedback && feedback.tone !== 'error' && <FeedbackBody feedback={feedback} />}
        </div>
        <div role="alert" aria-atomic="true">
          {feedback && feedback.tone === 'error' && <FeedbackBody feedback={feedback} />}
        </div>
      </div>

      {pending && !overrideOpen && (
        <p className="override-offer">
          {t('override.offer')}{' '}
          <button type="button" onClick={openOverride}>
            {t('override.open')} <kbd>F8</kbd>
          </button>
        </p>
      )}
      {pending && overrideOpen && (
        <form className="override" onSubmit={submitOverride} aria-labelledby="override-heading">
          <h2 id="override-heading">
            {t(pending.kind === 'checkout' ? 'override.titleCheckout' : 'override.titleRenew', {
              barcode: pending.itemBarcode,
            })}
          </h2>
          <ul>
            {pending.refusals.map((r) => (
              <li key={r.code + r.message}>{r.message}</li>
            ))}
          </ul>
          <label htmlFor="override-reason">{t('override.reason')}</label>
          <input
            id="override-reason"
            ref={reasonRef}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required
            minLength={3}
            maxLength={500}
            autoComplete="off"
            aria-describedby="override-hint"
          />
          <p id="override-hint" className="hint">
            {t('override.hint')}
          </p>
          <div className="actions">
            <button type="submit">{t('override.confirm')}</button>
            <button type="button" className="secondary" onClick={closeOverride}>
              {t('override.cancel')} <kbd>Esc</kbd>
            </button>
          </div>
        </form>
      )}

      {mode === 'checkout' ? (
        <div className="desk-columns">
          {patron ? (
            <PatronSummary desk={patron} onRenew={(barcode) => enqueue(() => renew(barcode))} />
          ) : (
            <section className="patron-summary empty" aria-labelledby="no-patron">
              <h2 id="no-patron">{t('desk.noPatron')}</h2>
              <p>{t('desk.noPatronHint')}</p>
            </section>
          )}
          <section className="transaction" aria-labelledby="transaction-heading">
            <h2 id="transaction-heading">{t('desk.checkedOutNow')}</h2>
            {checkouts.length === 0 ? (
              <p>{t('desk.nothingYet')}</p>
            ) : (
              <ol className="done-list">
                {checkouts.map(({ loan, dueDateNote, overridden }) => (
                  <li key={loan.id}>
                    <span className="mark" aria-hidden="true">
                      ✓
                    </span>
                    <span>
                      <strong>{loan.title}</strong> <span className="barcode">{loan.itemBarcode}</span>
                      <br />
                      {t('desk.dueLabel')} <time dateTime={loan.dueAt}>{due(loan.dueAt)}</time>
                      {dueDateNote && <span className="note"> ({dueDateNote})</span>}
                      {overridden.length > 0 && <span className="note"> · {t('desk.wasOverridden')}</span>}
                    </span>
                  </li>
                ))}
              </ol>
            )}
            <div className="actions">
              <button type="button" onClick={printReceipt} disabled={checkouts.length === 0}>
                {t('desk.printReceipt')} <kbd>F9</kbd>
              </button>
              <button type="button" className="secondary" onClick={newPatron}>
                {t('desk.newPatron')} <kbd>Esc</kbd>
              </button>
            </div>
            {receiptShown && checkouts.length > 0 && (
              <section className="preview" aria-labelledby="receipt-heading">
                <h3 id="receipt-heading">{t('receipt.preview')}</h3>
                <Receipt checkouts={checkouts} branch={branch} printedAt={printedAt} />
              </section>
            )}
          </section>
        </div>
      ) : (
        <div className="desk-columns">
          <section className="returns" aria-labelledby="returns-heading">
            <h2 id="returns-heading">{t('desk.returned', { count: returns.length })}</h2>
            {returns.length === 0 ? (
              <p>{t('desk.noReturns')}</p>
            ) : (
              <ol className="return-list">
                {returns.map(({ key, result }) => (
                  <ReturnRow
                    key={key}
                    result={result}
                    where={routingText(result)}
                    onPrint={needsSlip(result) ? () => printSlip(key) : undefined}
                  />
                ))}
              </ol>
            )}
          </section>
          {slipShown && (
            <section className="preview" aria-labelledby="slip-heading">
              <h2 id="slip-heading">
                {t(
                  slipShown.result.routing.action === 'hold_shelf'
                    ? 'slip.holdHeading'
                    : 'slip.transitHeading',
                )}
              </h2>
              <Slip result={slipShown.result} branch={branch} />
              <div className="actions">
                <button type="button" onClick={() => printSlip(slipShown.key)}>
                  {t('slip.print')} <kbd>F9</kbd>
                </button>
              </div>
            </section>
          )}
        </div>
      )}

      <aside className="shortcuts" aria-labelledby="shortcuts-heading">
        <h2 id="shortcuts-heading">{t('keys.title')}</h2>
        <dl>
          <div>
            <dt>
              <kbd>F2</kbd>
            </dt>
            <dd>{t('keys.checkout')}</dd>
          </div>
          <div>
            <dt>
              <kbd>F3</kbd>
            </dt>
            <dd>{t('keys.checkin')}</dd>
          </div>
          <div>
            <dt>
              <kbd>Enter</kbd>
            </dt>
            <dd>{t('keys.enter')}</dd>
          </div>
          <div>
            <dt>
              <kbd>F8</kbd>
            </dt>
            <dd>{t('keys.override')}</dd>
          </div>
          <div>
            <dt>
              <kbd>F9</kbd>
            </dt>
            <dd>{t('keys.print')}</dd>
          </div>
          <div>
            <dt>
              <kbd>Esc</kbd>
            </dt>
            <dd>{t('keys.escape')}</dd>
          </div>
          <div>
            <dt>
              <kbd>Tab</kbd>
            </dt>
            <dd>{t('keys.tab')}</dd>
          </div>
        </dl>
      </aside>

      {mode === 'checkout' && receiptShown && checkouts.length > 0 && (
        <PrintSheet>
          <Receipt checkouts={checkouts} branch={branch} printedAt={printedAt} />
        </PrintSheet>
      )}
      {mode === 'checkin' && toPrint && (
        <PrintSheet>
          <Slip result={toPrint.result} branch={branch} />
        </PrintSheet>
      )}
    </div>
  );
}

/** One returned item: where it goes, whose loan it was, fines charged, messages. */
function ReturnRow({
  result,
  where,
  onPrint,
}: {
  result: CheckinResponse;
  where: string;
  onPrint: (() => void) | undefined;
}) {
  const { t, language } = useI18n();
  const action = result.routing.action;
  return (
    <li className={`return route-${action}`}>
      <p className="route">{where}</p>
      <p>
        <strong>{result.item.title}</strong> <span className="barcode">{result.item.barcode}</span>
        {result.item.callNumber && <span className="note"> · {result.item.callNumber}</span>}
      </p>
      {result.loan?.patronName && (
        <p className="note">{t('return.from', { name: result.loan.patronName })}</p>
      )}
      {result.overdueFineMinor > 0 && (
        <p className="bad">{t('return.fine', { amount: formatMinor(result.overdueFineMinor, language) })}</p>
      )}
      {result.lostFeeRefundedMinor > 0 && (
        <p>{t('return.refund', { amount: formatMinor(result.lostFeeRefundedMinor, language) })}</p>
      )}
      {result.alreadyCheckedIn && <p className="note">{t('return.already')}</p>}
      {result.messages.length > 0 && (
        <ul className="messages">
          {result.messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      {onPrint && (
        <button type="button" className="small" onClick={onPrint}>
          {t('slip.printThis')}
        </button>
      )}
    </li>
  );
}

function FeedbackBody({ feedback }: { feedback: Feedback }) {
  return (
    <>
      <p className="feedback-text">{feedback.text}</p>
      {feedback.details && (
        <ul>
          {feedback.details.map((d) => (
            <li key={d}>{d}</li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Goes to the desk with a patron's card ready (used from a patron's page). */
export function checkOutTo(card: string): void {
  navigate(`/staff/?card=${encodeURIComponent(card)}`);
}
