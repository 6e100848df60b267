import type { Static } from '@sinclair/typebox';
import type { BibRecordResponse, Hold, PublicCopy } from '@stacks/contract';
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { ApiError, request } from '../../common/api.ts';
import { useI18n } from '../../common/i18n.ts';
import { sortByName, useBranches } from '../branches.ts';
import { type Hit, hitOf } from '../catalog-data.ts';
import { OPAC_ENDPOINTS } from '../endpoints.ts';
import { formatName, languageName } from '../format.ts';
import { Link, navigate } from '../router.tsx';
import { lastSearchHref } from '../search/last-search.ts';
import { useSession } from '../session.tsx';
import { errorText, LiveMessage, type Outcome, PageHeading, useDocumentTitle } from '../ui.tsx';

type BibRecord = Static<typeof BibRecordResponse>;
type CatalogItem = Static<typeof PublicCopy>;
type HoldAnswer = Static<typeof Hold>;

type Loaded<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; error: string };

/**
 * A record: its description, where its copies are (per branch, with shelf location, call number and
 * status when the server lets the catalog see items, else how many are on the shelf), and placing a
 * hold for pickup at a branch the patron chooses.
 */
export function RecordPage({ id, search }: { id: string; search: string }) {
  const { t, language } = useI18n();
  const [record, setRecord] = useState<Loaded<BibRecord>>({ state: 'loading' });
  const [hit, setHit] = useState<Hit | null>(null);
  const [items, setItems] = useState<CatalogItem[] | null>(null);
  const { branchName } = useBranches();

  useEffect(() => {
    let live = true;
    setRecord({ state: 'loading' });
    setHit(null);
    setItems(null);
    request<BibRecord>(OPAC_ENDPOINTS.record, { params: { id } })
      .then((value) => {
        if (!live) return;
        setRecord({ state: 'ready', value });
        hitOf(id, value.summary.title)
          .then((found) => live && setHit(found))
          .catch(() => undefined);
      })
      .catch((error: unknown) => {
        if (live) setRecord({ state: 'failed', error: errorText(error, t) });
      });
    // Copies one by one; should the request fail, the counts per branch from the search stand in.
    request<CatalogItem[]>(OPAC_ENDPOINTS.recordItems, { params: { id } })
      .then((value) => live && setItems(value))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [id, t]);

  const title = record.state === 'ready' ? record.value.summary.title : '';
  useDocumentTitle(record.state === 'ready' ? title : t('record.title'));

  const back = lastSearchHref();
  return (
    <>
      {back ? (
        <p className="back">
          <Link to={back}>{t('record.back')}</Link>
        </p>
      ) : null}
      {record.state === 'loading' ? (
        <>
          <PageHeading>{t('record.title')}</PageHeading>
          <p role="status">{t('common.loading')}</p>
        </>
      ) : record.state === 'failed' ? (
        <>
          <PageHeading>{t('record.notFound')}</PageHeading>
          <p role="alert" className="message message-error">
            {record.error}
          </p>
          <p>
            <Link to="/">{t('record.toSearch')}</Link>
          </p>
        </>
      ) : (
        <>
          <Description record={record.value} language={language} />
          <section aria-labelledby="where-heading">
            <h2 id="where-heading">{t('record.where')}</h2>
            <Holdings hit={hit} items={items} branchName={branchName} record={record.value} />
          </section>
          <HoldSection recordId={id} title={title} hit={hit} items={items} search={search} />
        </>
      )}
    </>
  );
}

function Description({ record, language }: { record: BibRecord; language: 'en' | 'es' }) {
  const { t } = useI18n();
  const s = record.summary;
  const published = [s.publisher, s.year === null ? null : String(s.year)].filter(Boolean).join(', ');
  const rows: [string, ReactNode][] = [];
  rows.push([t('record.format'), formatName(s.format, t)]);
  if (s.authors.length > 0)
    rows.push([
      t('record.authors'),
      <ul className="plain" key="a">
        {s.authors.map((a) => (
          <li key={a}>
            <Link to={`/?q=${encodeURIComponent(`author:"${a.replace(/"/g, '')}"`)}`}>{a}</Link>
          </li>
        ))}
      </ul>,
    ]);
  if (published) rows.push([t('record.published'), published]);
  if (s.edition) rows.push([t('record.edition'), s.edition]);
  if (s.language) rows.push([t('record.language'), languageName(s.language, language)]);
  if (s.series.length > 0) rows.push([t('record.series'), s.series.join('; ')]);
  if (s.subjects.length > 0)
    rows.push([
      t('record.subjects'),
      <ul className="plain" key="s">
        {s.subjects.map((subject) => (
          <li key={subject}>
            <Link to={`/?subject=${encodeURIComponent(subject)}`}>{subject}</Link>
          </li>
        ))}
      </ul>,
    ]);
  if (s.isbns.length > 0) rows.push(['ISBN', s.isbns.join(', ')]);
  if (s.issns.length > 0) rows.push(['ISSN', s.issns.join(', ')]);
  const callNumber = s.lcCallNumber ?? s.deweyCallNumber;
  if (callNumber) rows.push([t('record.callNumber'), callNumber]);
  return (
    <>
      <PageHeading>{s.title}</PageHeading>
      {s.responsibility ? <p className="byline">{s.responsibility}</p> : null}
      <dl className="details">
        {rows.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {s.notes.length > 0 ? (
        <section aria-labelledby="notes-heading">
          <h2 id="notes-heading">{t('record.notes')}</h2>
          {s.notes.map((note) => (
            <p key={note}>{note}</p>
          ))}
        </section>
      ) : null}
    </>
  );
}

/** Where the copies are: item by item when known, else the count on the shelf at each branch. */
function Holdings({
  hit,
  items,
  branchName,
  record,
}: {
  hit: Hit | null;
  items: CatalogItem[] | null;
  branchName(id: string): string;
  record: BibRecord;
}) {
  const { t } = useI18n();
  if (items && items.length > 0) {
    const branchIds = [...new Set(items.map((i) => i.branchId))].sort((a, b) =>
      branchName(a).localeCompare(branchName(b)),
    );
    return (
      <>
        {branchIds.map((branchId) => {
          const here = items.filter((i) => i.branchId === branchId);
          const headingId = `branch-${branchId}`;
          return (
            <div key={branchId} className="branch-holdings">
              <h3 id={headingId}>{branchName(branchId)}</h3>
              <table aria-labelledby={headingId}>
                <thead>
                  <tr>
                    <th scope="col">{t('item.location')}</th>
                    <th scope="col">{t('item.callNumber')}</th>
                    <th scope="col">{t('item.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {here.map((item) => (
                    <tr key={item.id}>
                      <td>{item.location ?? t('item.noLocation')}</td>
                      <td>
                        {[item.callNumber, item.volume, item.copyNumber ? `c.${item.copyNumber}` : null]
                          .filter(Boolean)
                          .join(' ') || '—'}
                      </td>
                      <td className={`status status-${item.status}`}>
                        {t(`item.status.${item.status}`)}
                        {item.publicNote ? <span className="note"> ({item.publicNote})</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        })}
      </>
    );
  }
  if (!hit) return <p>{t('record.noAvailability')}</p>;
  if (hit.availability.length === 0) return <p>{t('avail.noCopies')}</p>;
  const callNumber = record.summary.lcCallNumber ?? record.summary.deweyCallNumber;
  return (
    <>
      <table>
        <caption className="visually-hidden">{t('record.where')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('item.branch')}</th>
            <th scope="col">{t('item.onShelf')}</th>
          </tr>
        </thead>
        <tbody>
          {sortByName(hit.availability, branchName).map((b) => (
            <tr key={b.branchId}>
              <th scope="row">{branchName(b.branchId)}</th>
              <td className={b.available > 0 ? 'status status-available' : 'status'}>
                {b.available > 0
                  ? t('avail.branchAvailable', { available: b.available, total: b.total })
                  : t('avail.branchNone', { total: b.total })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {callNumber ? <p>{t('record.askCallNumber', { callNumber })}</p> : null}
    </>
  );
}

/**
 * Placing a hold: signed-out patrons go to sign in first (and come back here with `?hold=1`, the
 * pickup choice focused); signed-in patrons choose the pickup branch and place it. The outcome, a
 * refusal included, is announced in the words of the API.
 */
function HoldSection({
  recordId,
  title,
  hit,
  items,
  search,
}: {
  recordId: string;
  title: string;
  hit: Hit | null;
  items: CatalogItem[] | null;
  search: string;
}) {
  const { t } = useI18n();
  const session = useSession();
  const { branches, branchName } = useBranches();
  const [pickup, setPickup] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [placed, setPlaced] = useState<HoldAnswer | null>(null);
  const select = useRef<HTMLSelectElement>(null);
  const cameToHold = new URLSearchParams(search).get('hold') === '1';

  // Pickup branches: every branch the catalog knows, else those holding this title, and home.
  const known = branches.map((b) => b.id);
  const own = [
    ...(hit?.availability.map((b) => b.branchId) ?? []),
    ...(items?.map((i) => i.branchId) ?? []),
    ...(session.me ? [session.me.patron.homeBranchId] : []),
  ];
  const choices = [...new Set(known.length > 0 ? known : own)].sort((a, b) =>
    branchName(a).localeCompare(branchName(b)),
  );
  const home = session.me?.patron.homeBranchId;
  const chosen = pickup || (home && choices.includes(home) ? home : (choices[0] ?? ''));

  useEffect(() => {
    if (cameToHold && session.status === 'signed-in') select.current?.focus();
  }, [cameToHold, session.status]);

  async function place(event: FormEvent) {
    event.preventDefault();
    if (!chosen || busy) return;
    setBusy(true);
    setOutcome(null);
    try {
      const hold = await request<HoldAnswer>(OPAC_ENDPOINTS.myPlaceHold, {
        body: { recordId, pickupBranchId: chosen },
      });
      setPlaced(hold);
      setOutcome({
        kind: 'ok',
        text: (t) =>
          hold.queuePosition === null
            ? t('hold.placed', { title, branch: branchName(hold.pickupBranchId) })
            : t('hold.placedQueue', {
                title,
                branch: branchName(hold.pickupBranchId),
                n: hold.queuePosition,
              }),
      });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        session.expired();
        setOutcome({ kind: 'error', text: (t) => t('login.expired') });
      } else setOutcome({ kind: 'error', text: (t) => t('hold.refused', { reason: errorText(error, t) }) });
    } finally {
      setBusy(false);
    }
  }

  const next = `/record/${recordId}?hold=1`;
  return (
    <section aria-labelledby="hold-heading" className="hold-box">
      <h2 id="hold-heading">{t('hold.heading')}</h2>
      {session.status === 'checking' ? (
        <p>{t('common.loading')}</p>
      ) : session.status === 'signed-out' ? (
        <>
          <p>{t('hold.signInFirst')}</p>
          <button
            type="button"
            className="primary"
            onClick={() => navigate(`/login?next=${encodeURIComponent(next)}`)}
          >
            {t('hold.place')}
          </button>
        </>
      ) : placed ? (
        <p>
          <Link to="/account">{t('hold.seeAccount')}</Link>
        </p>
      ) : (
        <form onSubmit={place} className="inline-form">
          <label htmlFor="pickup">{t('hold.pickup')}</label>
          <select id="pickup" ref={select} value={chosen} onChange={(e) => setPickup(e.target.value)}>
            {choices.map((id) => (
              <option key={id} value={id}>
                {branchName(id)}
                {id === home ? ` ${t('hold.homeBranch')}` : ''}
              </option>
            ))}
          </select>
          <button type="submit" className="primary" aria-disabled={busy || !chosen}>
            {busy ? t('hold.placing') : t('hold.place')}
          </button>
        </form>
      )}
      <LiveMessage outcome={outcome} />
    </section>
  );
}
