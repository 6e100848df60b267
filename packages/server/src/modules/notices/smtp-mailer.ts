import { AppError } from '../../kernel/app-error.ts';
import type { NoticeErrorCode } from './errors.ts';

/** One e-mail to send. */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** `<…@…>`: the same for every attempt, so a receiver can tell a resend from a new notice. */
  messageId: string;
  date: Date;
}

/** Sends mail over one SMTP connection setup; `close()` ends it. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * Checks `SMTP_URL` (`smtp://user:pass@host:587` or `smtps://…:465`) and returns where it points, for
 * messages and logs: host and port only, never the user or password.
 */
export function smtpEndpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError<NoticeErrorCode>(
      'INVALID_SMTP_URL',
      'SMTP_URL is not a URL: write smtp://user:password@host:587 or smtps://user:password@host:465',
    );
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new AppError<NoticeErrorCode>(
      'INVALID_SMTP_URL',
      `SMTP_URL must start with smtp:// or smtps://, not ${parsed.protocol}//`,
    );
  }
  if (parsed.hostname === '')
    throw new AppError<NoticeErrorCode>('INVALID_SMTP_URL', 'SMTP_URL names no host');
  const port = parsed.port || (parsed.protocol === 'smtps:' ? '465' : '587');
  return `${parsed.hostname}:${port}`;
}

/**
 * A mailer over SMTP with nodemailer (STARTTLS when the server offers it, TLS from the start for
 * smtps://). Timeouts are short so one unreachable server does not hold a send run for minutes.
 * nodemailer is loaded on first use, so commands that send no mail start without it.
 */
export async function smtpMailer(url: string): Promise<Mailer> {
  smtpEndpoint(url);
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: 20_000,
    greetingTimeout: 20_000,
    socketTimeout: 60_000,
    logger: false,
    debug: false,
  });
  return {
    async send(mail) {
      await transport.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: mail.messageId,
        date: mail.date,
      });
    },
    close: () => transport.close(),
  };
}

/** An SMTP failure as one line for `last_error`: the server's reply or the network error, no credentials. */
export function describeSendError(error: unknown, url: string): string {
  const e = error as { message?: unknown; responseCode?: unknown; code?: unknown };
  let message = typeof e?.message === 'string' ? e.message : String(error);
  // Never keep the password, should an error ever quote the URL.
  try {
    const parsed = new URL(url);
    for (const secret of [parsed.password, decodeURIComponent(parsed.password)])
      if (secret !== '') message = message.split(secret).join('***');
  } catch {
    // not a URL: nothing to hide
  }
  const code = typeof e?.responseCode === 'number' ? `${e.responseCode} ` : '';
  return `${code}${message}`.replace(/\s+/g, ' ').trim().slice(0, 500);
}
