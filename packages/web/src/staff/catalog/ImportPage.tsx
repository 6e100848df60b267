import type { Static } from '@sinclair/typebox';
import type { ImportJob as ImportJobSchema, ItemType as ItemTypeSchema } from '@stacks/contract';
import { type FormEvent, type RefObject, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../common/api.ts';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { STAFF_ENDPOINTS } from '../endpoints.ts';
import { ErrorMessage, PageHeading } from '../Page.tsx';
import { useSession } from '../session.tsx';
import { ExportLinks } from './ExportLinks.tsx';
import './import.css';

/** An import job as the API reports it (progress, then the report). */
export type ImportJob = Static<typeof ImportJobSchema>;
type ItemType = Static<typeof ItemTypeSchema>;
type Duplicates = 'skip' | 'overlay' | 'add';

/** Problems listed before "show all" (a broken file can have thousands). */
const PROBLEMS_SHOWN = 50;

/** How often a running import is asked how far it is. */
const POLL_MS = 500;

/**
 * Sends a file as the raw body of `POST /api/catalog/imports` (the shared `request()` sends JSON only;
 * a MARC file must reach the server byte for byte). Errors come back as {@link ApiError}, like `request()`.
 */
async function uploadMarc(file: File, query: Record<string, string | undefined>): Promise<ImportJob> {
  const [, path] = STAFF_ENDPOINTS.importUpload.split(' ') as [string, string];
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.append(key, value);
  let response: Response;
  try {
    response = await fetch(`${path}?${params}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/octet-stream' },
      body: file,
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The library server cannot be reached.', undefined);
  }
  const text = await response.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })
      ?.error;
    throw new ApiError(
      response.status,
      error?.code ?? 'HTTP_ERROR',
      error?.message ?? `The server answered ${response.status}`,
      error?.details,
    );
  }
  return data as ImportJob;
}

/** MARC import (`/staff/catalog/import`) with a live progress bar and the error report, and export. */
export function ImportPage() {
  const { t } = useI18n();
  const { branches, branch } = useSession();
  const [file, setFile] = useState<File | null>(null);
  const [duplicates, setDuplicates] = useState<Duplicates>('skip');
  const [branchCode, setBranchCode] = useState(branch.code);
  const [itemType, setItemType] = useState('');
  const [itemTypes, setItemTypes] = useState<ItemType[]>([]);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reportHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    call<ItemType[]>('itemTypes').then(setItemTypes, (e: unknown) => setError(errorText(e, t)));
  }, [t]);

  // While the job runs, ask how far it is; stop when it is done (or failed).
  const jobId = job?.id;
  const running = job?.status === 'running';
  useEffect(() => {
    if (!jobId || !running) return;
    let live = true;
    const timer = setInterval(() => {
      call<ImportJob>('importJob', { params: { id: jobId } }).then(
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

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) {
      setError(t('import.chooseFile'));
      return;
    }
    setError(null);
    setJob(null);
    setUploading(true);
    try {
      setJob(
        await uploadMarc(file, {
          fileName: file.name.slice(0, 255),
          onDuplicate: duplicates,
          branch: branchCode || undefined,
          itemType: itemType || undefined,
        }),
      );
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setUploading(false);
    }
  }

  const busy = uploading || running;
  return (
    <>
      <PageHeading title={t('import.title')}>{t('import.title')}</PageHeading>
      <section aria-labelledby="import-heading">
        <h2 id="import-heading">{t('import.heading')}</h2>
        <p className="hint">{t('import.intro')}</p>
        <form className="form-grid" onSubmit={submit} aria-busy={busy}>
          <div className="field">
            <label htmlFor="import-file">{t('import.file')}</label>
            <input
              id="import-file"
              type="file"
              accept=".mrc,.marc,.dat,.usmarc,.iso,.xml,.json,application/marc,application/xml,application/json"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              aria-describedby="import-file-hint"
            />
            <p id="import-file-hint" className="hint">
              {t('import.fileHint')}
            </p>
          </div>
          <fieldset className="field">
            <legend>{t('import.duplicates')}</legend>
            {(['skip', 'overlay', 'add'] as const).map((rule) => (
              <label key={rule} className="choice">
                <input
                  type="radio"
                  name="duplicates"
                  value={rule}
                  checked={duplicates === rule}
                  onChange={() => setDuplicates(rule)}
                />{' '}
                {t(`import.duplicates.${rule}`)}
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor="import-branch">{t('import.branch')}</label>
            <select id="import-branch" value={branchCode} onChange={(e) => setBranchCode(e.target.value)}>
              {branches.map((b) => (
                <option key={b.id} value={b.code}>
                  {b.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="import-item-type">{t('import.itemType')}</label>
            <select id="import-item-type" value={itemType} onChange={(e) => setItemType(e.target.value)}>
              <option value="">{t('import.itemType.none')}</option>
              {itemTypes.map((it) => (
                <option key={it.code} value={it.code}>
                  {it.name}
                </option>
              ))}
            </select>
          </div>
          <p className="actions">
            <button type="submit" disabled={busy}>
              {t('import.start')}
            </button>
          </p>
        </form>
        <ErrorMessage text={error} />
        {(uploading || job) && <Progress job={job} uploading={uploading} />}
        {job && finished && <Report job={job} headingRef={reportHeading} />}
      </section>
      <section aria-labelledby="export-heading">
        <h2 id="export-heading">{t('export.heading')}</h2>
        <p>{t('export.intro')}</p>
        <ExportLinks editable />
        <p>{t('export.cli')}</p>
        <pre className="code">
          <code>
            {[
              'npx stacks export --format iso2709 --out catalog.mrc --report catalog-report.json',
              "npx stacks export --format marcxml --query 'subject:jazz' --out jazz.xml",
              'npx stacks export --format json --query \'author:"wall, larry"\' --out wall.json',
            ].join('\n')}
          </code>
        </pre>
        <p>{t('export.oneRecord')}</p>
      </section>
    </>
  );
}

/** The progress bar and its words (records read, bytes read), announced as they change. */
function Progress({ job, uploading }: { job: ImportJob | null; uploading: boolean }) {
  const { t } = useI18n();
  const percent = job ? (job.status === 'done' ? 100 : job.percent) : 0;
  const words = uploading
    ? t('import.uploading')
    : job?.status === 'running'
      ? t('import.running', { read: job.recordsRead, percent })
      : job?.status === 'done'
        ? t('import.done', { read: job.report?.read ?? job.recordsRead })
        : t('import.stopped', { status: job?.status ?? '' });
  return (
    <div className="import-progress">
      <label htmlFor="import-progress">{t('import.progress')}</label>
      <progress
        id="import-progress"
        max={100}
        value={uploading ? undefined : percent}
        aria-valuetext={words}
        aria-describedby="import-progress-text"
      />
      <p id="import-progress-text" role="status" aria-live="polite">
        {words}
      </p>
    </div>
  );
}

/**
 * The import's report: counts, then every problem with its record's number, the field it is in and
 * the byte offset of the problem itself (and of its record, when that differs).
 */
function Report({ job, headingRef }: { job: ImportJob; headingRef: RefObject<HTMLHeadingElement | null> }) {
  const { t } = useI18n();
  const [all, setAll] = useState(false);
  const report = job.report;
  const problems = report ? (all ? report.problems : report.problems.slice(0, PROBLEMS_SHOWN)) : [];
  return (
    <section aria-labelledby="report-heading" className="import-report">
      <h3 id="report-heading" ref={headingRef} tabIndex={-1}>
        {t('import.report', { file: job.fileName })}
      </h3>
      {job.error && (
        <p role="alert" className="error-box">
          {job.error}
        </p>
      )}
      {report && (
        <>
          <dl className="facts">
            {(
              [
                ['read', report.read],
                ['created', report.created],
                ['overlaid', report.overlaid],
                ['skipped', report.skipped],
                ['failed', report.failed],
                ['itemsCreated', report.itemsCreated],
                ['itemsExisting', report.itemsExisting],
                ['itemsFailed', report.itemsFailed],
              ] as const
            ).map(([key, value]) => (
              <div key={key}>
                <dt>{t(`import.count.${key}`)}</dt>
                <dd data-count={key}>{value}</dd>
              </div>
            ))}
          </dl>
          {job.format && <p className="note">{t('import.format', { format: job.format })}</p>}
          <h4>{t('import.problems', { count: report.problems.length + report.problemsOmitted })}</h4>
          {report.problems.length === 0 ? (
            <p>{t('import.noProblems')}</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">{t('import.problemsCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('import.problem.record')}</th>
                    <th scope="col">{t('import.problem.field')}</th>
                    <th scope="col">{t('import.problem.offset')}</th>
                    <th scope="col">{t('import.problem.severity')}</th>
                    <th scope="col">{t('import.problem.message')}</th>
                  </tr>
                </thead>
                <tbody>
                  {problems.map((p, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id; the list never reorders.
                    <tr key={i}>
                      <td>{p.recordIndex + 1}</td>
                      <td>{p.tag ?? '—'}</td>
                      <td>
                        {p.byteOffset}
                        {p.byteOffset !== p.recordOffset && (
                          <span className="hint">
                            {' '}
                            {t('import.problem.recordAt', { offset: p.recordOffset })}
                          </span>
                        )}
                      </td>
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
