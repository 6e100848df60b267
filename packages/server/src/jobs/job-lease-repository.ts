import type { Executor } from '../db/database.ts';
import type { JobLeaseRow } from '../db/schema.ts';

/** Every job's lease row. */
export async function findLeases(db: Executor): Promise<JobLeaseRow[]> {
  return db.selectFrom('job_leases').selectAll().orderBy('name').execute();
}

/**
 * Takes the lease of job `name` for `holder` until `until`, when no one holds it at `now` (its
 * `lease_until` is null or past). One conditional statement after the row exists, so of any number of
 * processes racing for it, on either dialect, exactly one gets it. With `lastStartedAt` (a string or
 * null) the lease is taken only if the last run started then, so a scheduler that saw the job due does
 * not run it again right after another process did.
 */
export async function takeLease(
  db: Executor,
  lease: { name: string; holder: string; now: string; until: string; lastStartedAt?: string | null },
): Promise<boolean> {
  await db
    .insertInto('job_leases')
    .values({
      name: lease.name,
      holder: null,
      lease_until: null,
      last_started_at: null,
      last_finished_at: null,
      last_outcome: null,
      last_summary: null,
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  let query = db
    .updateTable('job_leases')
    .set({ holder: lease.holder, lease_until: lease.until, last_started_at: lease.now })
    .where('name', '=', lease.name)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', lease.now)]));
  if (lease.lastStartedAt !== undefined) {
    const seen = lease.lastStartedAt;
    query = query.where((eb) =>
      seen === null ? eb('last_started_at', 'is', null) : eb('last_started_at', '=', seen),
    );
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Gives the lease back with how the run went; only the run that took it (same holder and start) can.
 * False when the lease had run out and another process took it meanwhile.
 */
export async function releaseLease(
  db: Executor,
  release: {
    name: string;
    holder: string;
    startedAt: string;
    finishedAt: string;
    outcome: string;
    summary: Record<string, number | string>;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('job_leases')
    .set({
      holder: null,
      lease_until: null,
      last_finished_at: release.finishedAt,
      last_outcome: release.outcome,
      last_summary: JSON.stringify(release.summary),
    })
    .where('name', '=', release.name)
    .where('holder', '=', release.holder)
    .where('last_started_at', '=', release.startedAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
