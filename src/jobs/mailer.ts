/**
 * Outgoing e-mail. The worker talks to a `Mailer`; `createSmtpMailer` is the nodemailer SMTP
 * one. Messages are plain text (readable on any phone and in any client; links auto-link); an
 * alert e-mail that carries the patient's phone adds an HTML part so the phone is a `tel:` link.
 */
import nodemailer from 'nodemailer';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** An HTML alternative to `text` (alert e-mails with the patient's phone as a `tel:` link). */
  readonly html?: string;
  /** Stable across retries, so a receiving system can drop a duplicate. */
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly language: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close?(): void;
}

export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:587` or `smtps://…`; nodemailer's URL form. */
  readonly url: string;
  /** `Needlecare <no-reply@clinic.example>` */
  readonly from: string;
  readonly timeoutMs?: number;
}

/** A `Mailer` over SMTP. One pooled transport per mailer; `close()` ends it. */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const timeout = options.timeoutMs ?? 15_000;
  const url = new URL(options.url);
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 2,
    host: url.hostname,
    port: url.port === '' ? (url.protocol === 'smtps:' ? 465 : 587) : Number(url.port),
    secure: url.protocol === 'smtps:',
    ...(url.username === ''
      ? {}
      : {
          auth: {
            user: decodeURIComponent(url.username),
            pass: decodeURIComponent(url.password),
          },
        }),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(message) {
      await transport.sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
        messageId: message.messageId,
        headers: { ...message.headers, 'Content-Language': message.language },
      });
    },
    close() {
      transport.close();
    },
  };
}

/** A `Mailer` for when no SMTP server is configured: every send fails, visibly (dead letters). */
export function unconfiguredMailer(): Mailer {
  return {
    send: () => Promise.reject(new Error('no SMTP server configured (SMTP_URL)')),
  };
}
