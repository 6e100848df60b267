import type { Static } from '@sinclair/typebox';
import type { ExportJob as ExportJobSchema } from '@stacks/contract';
import { type RefObject, useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { STAFF_ENDPOINTS } from '../endpoints.ts';
import { ErrorMessage } from '../Page.tsx';
import { Link } from '../router.tsx';
import './import.css';

/** The file formats of a catalog export, as `POST /api/catalog/exports` names them. */
export const EXPORT_FORMATS = ['iso2709', 'marcxml', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** An export job as the API reports it (progress, then the report). */
export type ExportJob = Static<typeof ExportJobSchema>;

/** How often a running export is asked how far it is. */
const POLL_MS = 500;
/** Problems listed before "show all". */
const PROBLEMS_SHOWN = 50;

/** The download address of a finished export's file. */
export function exportFileUrl(id: string): string {
  const [, path] = STAFF_ENDPOINTS.catalogExportFile.split(' ') as [string, string];
  return path.replace('{id}', encodeURIComponent(id));
}

/**
 * Export as a job: a format to choose, then the records of a search and/or the whole catalog. The
 * server writes the file (repairing what a format cannot carry, see the report) while the page shows
 * its progress; then the file downloads from a link, with the report of every repair and left-out
 * record beside it. With `editable`, the search is typed here; otherwise it is the catalog page's
 * current search `q`.
 */
export function ExportLinks({ q = '', editable = false }: { q?: string; editable?: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const [format, setFormat] = useState<ExportFormat>('iso2709');
  const [text, setText] = useState(q);
  const [job, setJob] = useState<ExportJob | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reportHeading = useRef<HTMLHeadingElement>(null);
  const search = (editable ? text : q).trim();

  // While the job runs, ask how far it is; stop when it has finished.
  const jobId = job?.id;
  const running = job?.status === 'running';
  useEffect(() => {
    if (!jobId || !running) return;
    let live = true;
    const timer = setInterval(() => {
      call<ExportJob>('catalogExportJob', { params: { id: jobId } }).then(
        (j) => live && setJob(j),
        (e: unknown) => {
          if (!live) return;
          setError(errorText(e, t));
          clearInterval(timer);
        },
      );
    }, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [jobId, running, t]);

  const finished = job !== null && job.status !== 'running';
  useEffect(() => {
    if (finished) reportHeading.current?.focus();
  }, [finished]);

  async function start(scope: 'search' | 'all') {
    setError(null);
    setJob(null);
    setStarting(true);
    try {
      setJob(
        await call<ExportJob>('catalogExportStart', {
          body: { format, ...(scope === 'search' ? { q: search } : {}) },
        }),
      );
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setStarting(false);
    }
  }

  const busy = starting || running;
  return (
    <div className="export-links">
      <fieldset className="field">
        <legend>{t('export.format')}</legend>
        {EXPORT_FORMATS.map((f) => (
          <label key={f} className="choice">
            <input
              type="radio"
              name={`${id}-format`}
              value={f}
              checked={format === f}
              onChange={() => setFormat(f)}
            />{' '}
            {t(`export.format.${f}`)}
          </label>
        ))}
      </fieldset>
      {editable && (
        <div className="field">
          <label htmlFor={`${id}-q`}>{t('export.query')}</label>
          <input
            id={`${id}-q`}
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={1000}
            autoComplete="off"
            aria-describedby={`${id}-q-hint`}
          />
          <p id={`${id}-q-hint`} className="hint">
            {t('export.queryHint')}
          </p>
        </div>
      )}
      <ul className="export-actions" aria-busy={busy}>
        {search && (
          <li>
            <button type="button" disabled={busy} onClick={() => start('search')} data-export="search">
              {t('export.search', { q: search, format: t(`export.format.${format}`) })}
            </button>
          </li>
        )}
        <li>
          <button type="button" disabled={busy} onClick={() => start('all')} data-export="all">
            {t('export.all', { format: t(`export.format.${format}`) })}
          </button>
        </li>
      </ul>
      <ErrorMessage text={error} />
      {job && <ExportProgress job={job} id={id} />}
      {job && finished && <ExportReportView job={job} id={id} headingRef={reportHeading} />}
    </div>
  );
}

/** The progress bar and its words, announced as they change. */
function ExportProgress({ job, id }: { job: ExportJob; id: string }) {
  const { t } = useI18n();
  const words =
    job.status === 'running'
      ? t('export.running', { done: job.recordsDone, total: job.recordsTotal, percent: job.percent })
      : job.status === 'done'
        ? t('export.done', { written: job.report?.written ?? job.recordsDone })
        : t('export.stopped', { status: t(`export.status.${job.status}`) });
  return (
    <div className="import-progress">
      <label htmlFor={`${id}-progress`}>{t('export.progress')}</label>
      <progress
        id={`${id}-progress`}
        max={100}
        value={job.percent}
        aria-valuetext={words}
        aria-describedby={`${id}-progress-text`}
      />
      <p id={`${id}-progress-text`} role="status" aria-live="polite">
        {words}
      </p>
    </div>
  );
}

/** A finished export: the download, the counts, then every repair and left-out record. */
function ExportReportView({
  job,
  id,
  headingRef,
}: {
  job: ExportJob;
  id: string;
  headingRef: RefObject<HTMLHeadingElement | null>;
}) {
  const { t } = useI18n();
  const [all, setAll] = useState(false);
  const report = job.report;
  const problems = report ? (all ? report.problems : report.problems.slice(0, PROBLEMS_SHOWN)) : [];
  return (
    <section aria-labelledby={`${id}-report`} className="import-report">
      <h3 id={`${id}-report`} ref={headingRef} tabIndex={-1}>
        {t('export.report')}
      </h3>
      {job.error && (
        <p role="alert" className="error-box">
          {job.error}
        </p>
      )}
      {job.status === 'done' && (
        <p>
          <a href={exportFileUrl(job.id)} download={job.fileName} data-export="file">
            {t('export.download', { file: job.fileName })}
          </a>
        </p>
      )}
      {report && (
        <>
          <dl className="facts">
            {(
              [
                ['written', report.written],
                ['repaired', report.repaired],
                ['skipped', report.skipped],
              ] as const
            ).map(([key, value]) => (
              <div key={key}>
                <dt>{t(`export.count.${key}`)}</dt>
                <dd data-export-count={key}>{value}</dd>
              </div>
            ))}
          </dl>
          <h4>{t('export.problems', { count: report.problems.length + report.problemsOmitted })}</h4>
          {report.problems.length === 0 ? (
            <p>{t('export.noProblems')}</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">{t('export.problemsCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('export.problem.record')}</th>
                    <th scope="col">{t('export.problem.field')}</th>
                    <th scope="col">{t('import.problem.severity')}</th>
                    <th scope="col">{t('export.problem.message')}</th>
                  </tr>
                </thead>
                <tbody>
                  {problems.map((p, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id; the list never reorders.
                    <tr key={i}>
                      <td>
                        <Link href={`/staff/catalog/records/${p.recordId}`}>
                          {t('export.problem.recordNo', { n: p.recordIndex + 1 })}
                        </Link>
                        {p.controlNumber && ` (001 ${p.controlNumber})`}
                      </td>
                      <td>{p.tag ?? ''}</td>
                      <td>
                        <span className={p.severity === 'error' ? 'tag bad-tag' : 'tag'}>
                          {t(`import.severity.${p.severity}`)}
                        </span>
                      </td>
                      <td>{p.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {problems.length < report.problems.length && (
            <p>
              <button type="button" onClick={() => setAll(true)}>
                {t('import.showAll', { count: report.problems.length })}
              </button>
            </p>
          )}
          {report.problemsOmitted > 0 && <p>{t('import.omitted', { count: report.problemsOmitted })}</p>}
        </>
      )}
    </section>
  );
}
