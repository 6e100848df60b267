import { pino } from 'pino';

/**
 * The process logger: JSON lines on standard output. Request headers that carry credentials are
 * redacted; Stacks never logs request bodies, so passwords and patron data stay out of the log.
 */
export function createProcessLogger(level: string) {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
  });
}
