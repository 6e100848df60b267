import type { NoticeService } from '../modules/notices/index.ts';
import type { Job } from './job-runner.ts';

/** `notices-send`: every minute, sends the e-mail notices that are due (retries included). */
export function noticesSendJob(notices: NoticeService): Job {
  return {
    name: 'notices-send',
    description: 'Send the e-mail notices that are due, retrying failed ones with backoff',
    schedule: { everyMinutes: 1 },
    leaseMinutes: 10,
    async run() {
      return { ...(await notices.sendDue()) };
    },
  };
}
