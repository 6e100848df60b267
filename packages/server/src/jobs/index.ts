/**
 * Scheduled work (notices, fines, holds, privacy): the job runner with its database leases and the
 * in-server scheduler. Jobs call services; modules never import this folder.
 */
export {
  createJobRunner,
  type Job,
  type JobContext,
  type JobRunner,
  type JobRunResult,
  type JobStatus,
  type JobSummary,
} from './job-runner.ts';
export { noticesSendJob } from './notice-jobs.ts';
export { describeSchedule, isDue, type JobSchedule, nextRunAt, scheduleProblem } from './schedule.ts';
