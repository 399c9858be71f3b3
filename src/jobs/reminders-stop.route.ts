/**
 * The stop link of every reminder: `GET /p/:token/stop` asks, `POST /p/:token/stop` stops.
 * A GET never changes anything, because mail scanners and link previews fetch links on their
 * own; the POST also serves RFC 8058 one-click unsubscribe (`List-Unsubscribe-Post`), which
 * mail clients send with the body `List-Unsubscribe=One-Click`. The token is the patient-link
 * token, so the page is `no-store` and sends no referrer.
 *
 * Register: `await app.register(remindersStopRoute, { db, clock })`.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Locale } from '../clinical/types.ts';
import { findClinic } from '../store/clinics.repository.ts';
import type { Db } from '../store/db.ts';
import { findLinkByTokenHash } from '../store/links.repository.ts';
import { findPatient } from '../store/patients.repository.ts';
import { html, type SafeHtml } from '../web/shared/html.ts';
import { stopReminders } from './reminders.ts';
import type { Clock } from './worker.ts';

/** As strict as the patient pages: no script, styles from this origin only. */
export const STOP_PAGE_CSP =
  "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export interface StopRouteDeps {
  readonly db: Db;
  readonly clock: Clock;
}

const TEXT = {
  en: {
    title: 'Stop reminders',
    ask: 'Do you want to stop the check-in reminders for this session? You can still open your page and check in whenever you like.',
    button: 'Stop reminders',
    done: 'Done: we will not send you more reminders for this session. You can still open your page and check in whenever you like.',
    unknown: 'This link is not valid. If you copied it, check that it is complete.',
    open: 'Open your page',
    emergency: (n: string) => `If you feel seriously unwell, call ${n} now.`,
  },
  es: {
    title: 'Dejar de recibir recordatorios',
    ask: '¿Quiere dejar de recibir los recordatorios de seguimiento de esta sesión? Podrá seguir abriendo su página y respondiendo cuando quiera.',
    button: 'Dejar de recibir recordatorios',
    done: 'Hecho: no le enviaremos más recordatorios de esta sesión. Podrá seguir abriendo su página y respondiendo cuando quiera.',
    unknown: 'Este enlace no es válido. Si lo ha copiado, compruebe que está completo.',
    open: 'Abrir su página',
    emergency: (n: string) => `Si se encuentra muy mal, llame ahora al ${n}.`,
  },
} as const;

function page(lang: Locale, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${title}</title>
<link rel="stylesheet" href="/assets/patient.css">
</head>
<body><main><h1>${title}</h1>${body}</main></body>
</html>`.value;
}

function send(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', STOP_PAGE_CSP)
    .header('x-robots-tag', 'noindex, nofollow')
    .send(body);
}

interface Context {
  readonly lang: Locale;
  readonly emergencyNumber: string | null;
}

async function contextFor(db: Db, token: string): Promise<Context | undefined> {
  if (token.length === 0 || token.length > 200) return undefined;
  const link = await findLinkByTokenHash(
    db,
    createHash('sha256').update(token, 'utf8').digest('hex'),
  );
  if (!link) return undefined;
  const patient = await findPatient(db, link.clinicId, link.patientId);
  const clinic = await findClinic(db, link.clinicId);
  return { lang: patient?.language ?? 'en', emergencyNumber: clinic?.emergencyNumber ?? null };
}

export async function remindersStopRoute(app: FastifyInstance, deps: StopRouteDeps): Promise<void> {
  // One-click unsubscribe posts a form body; the content is not needed, only accepted.
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 1024 },
      (_req, _body, done) => done(null, {}),
    );
  }
  const params = {
    type: 'object',
    properties: { token: { type: 'string', minLength: 1, maxLength: 200 } },
    required: ['token'],
  } as const;

  app.get<{ Params: { token: string } }>(
    '/p/:token/stop',
    { schema: { params, hide: true } },
    async (req, reply) => {
      const ctx = await contextFor(deps.db, req.params.token);
      if (!ctx) return send(reply, 404, page('en', TEXT.en.title, html`<p>${TEXT.en.unknown}</p>`));
      const t = TEXT[ctx.lang];
      const emergency = ctx.emergencyNumber === null ? '' : t.emergency(ctx.emergencyNumber);
      return send(
        reply,
        200,
        page(
          ctx.lang,
          t.title,
          html`<p>${t.ask}</p><form method="post"><button type="submit">${t.button}</button></form><p>${emergency}</p>`,
        ),
      );
    },
  );

  app.post<{ Params: { token: string } }>(
    '/p/:token/stop',
    { schema: { params, hide: true } },
    async (req, reply) => {
      const ctx = await contextFor(deps.db, req.params.token);
      if (!ctx) return send(reply, 404, page('en', TEXT.en.title, html`<p>${TEXT.en.unknown}</p>`));
      await stopReminders(deps.db, req.params.token, deps.clock.now());
      const t = TEXT[ctx.lang];
      const emergency = ctx.emergencyNumber === null ? '' : t.emergency(ctx.emergencyNumber);
      return send(
        reply,
        200,
        page(
          ctx.lang,
          t.title,
          html`<p>${t.done}</p><p><a href="../${req.params.token}">${t.open}</a></p><p>${emergency}</p>`,
        ),
      );
    },
  );
}
