/**
 * The patient pages' error page (issue 12, finding 5): whatever goes wrong under `/p/` — a bad
 * address, a body too large, a form sent in a strange format, too many tries — the patient gets
 * a page, not JSON. In the patient's language when the link is known, else the browser's; with
 * the emergency number of the link's clinic when known, else the numbers of the clinics this
 * process knows, else "your local emergency number". It never repeats the address (it may hold
 * the link's secret).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../api/deps.ts';
import { useErrorPage } from '../../api/errors.ts';
import { CONTENT_POLICIES } from '../../api/security-headers.ts';
import type { Locale } from '../../clinical/types.ts';
import { LOCALES } from '../../clinical/types.ts';
import { type Catalogue, negotiateLocale } from '../../i18n/catalogue.ts';
import type { AppError } from '../../services/errors.ts';
import { readStopReminders } from '../../services/stop-reminders.ts';
import { html, pageBytes, type SafeHtml } from '../shared/html.ts';
import type { ContactMemory } from './unavailable.ts';

type Kind = 'badRequest' | 'notFound' | 'tooLarge' | 'tooMany' | 'server';
type Key = `${Kind}Title` | `${Kind}Body` | 'emergencyLead' | 'call' | 'localEmergency';

const TEXT: Catalogue<Key> = {
  badRequestTitle: { en: 'We could not read that', es: 'No hemos podido leer eso' },
  badRequestBody: {
    en: 'Something in the address or the form was not right. Open the link from your message again.',
    es: 'Algo en la dirección o en el formulario no estaba bien. Vuelva a abrir el enlace de su mensaje.',
  },
  notFoundTitle: { en: 'This page does not exist', es: 'Esta página no existe' },
  notFoundBody: {
    en: 'Check that the link is complete, or open it again from your message.',
    es: 'Compruebe que el enlace está completo, o vuelva a abrirlo desde su mensaje.',
  },
  tooLargeTitle: { en: 'That was too long', es: 'Era demasiado largo' },
  tooLargeBody: {
    en: 'Please write less and send it again. If it is urgent, call your clinic.',
    es: 'Escriba menos y vuelva a enviarlo. Si es urgente, llame a su clínica.',
  },
  tooManyTitle: { en: 'Please wait a moment', es: 'Espere un momento, por favor' },
  tooManyBody: {
    en: 'We received many tries in a short time. Wait a minute and try again.',
    es: 'Hemos recibido muchos intentos en poco tiempo. Espere un minuto y vuelva a intentarlo.',
  },
  serverTitle: { en: 'Something went wrong on our side', es: 'Algo ha fallado por nuestra parte' },
  serverBody: {
    en: 'Please try again in a few minutes. If it is urgent, call your clinic.',
    es: 'Vuelva a intentarlo en unos minutos. Si es urgente, llame a su clínica.',
  },
  emergencyLead: {
    en: 'Chest pain, getting out of breath, or pain when you breathe in? Do not wait for this page.',
    es: '¿Dolor en el pecho, le falta el aire o le duele al respirar? No espere a esta página.',
  },
  call: { en: 'Call {number}', es: 'Llamar al {number}' },
  localEmergency: {
    en: 'Call your local emergency number now.',
    es: 'Llame ahora a su número de emergencias local.',
  },
};

function kindOf(status: number): Kind {
  if (status === 404 || status === 410) return 'notFound';
  if (status === 413 || status === 414) return 'tooLarge';
  if (status === 429) return 'tooMany';
  if (status >= 500) return 'server';
  return 'badRequest';
}

function telHref(number: string): string {
  return `tel:${number.replace(/[^\d+]/g, '')}`;
}

/** The page for an error status, in `locale`, with these emergency numbers. */
export function patientErrorPage(
  locale: Locale,
  status: number,
  emergencyNumbers: readonly string[],
): string {
  const t = (key: Key, values: Record<string, string> = {}) =>
    TEXT[key][locale].replace(/\{(\w+)\}/g, (_m: string, name: string) => values[name] ?? '');
  const kind = kindOf(status);
  const calls: SafeHtml[] = emergencyNumbers.map(
    (n) => html`<a class="btn danger" href="${telHref(n)}">${t('call', { number: n })}</a> `,
  );
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${t(`${kind}Title`)}</title>
<link rel="stylesheet" href="/assets/patient.css">
</head>
<body>
<main id="main">
<h1>${t(`${kind}Title`)}</h1>
<p>${t(`${kind}Body`)}</p>
<section class="emergency" aria-labelledby="emergency-title">
<h2 id="emergency-title">${t('emergencyLead')}</h2>
${calls.length > 0 ? html`<div class="actions">${calls}</div>` : html`<p><strong>${t('localEmergency')}</strong></p>`}
</section>
</main>
</body>
</html>`.value;
}

/** What the page knows of the link in the route, if a route matched and the link exists. */
async function linkContext(deps: AppDeps, request: FastifyRequest) {
  const token = (request.params as { token?: unknown } | null | undefined)?.token;
  if (typeof token !== 'string') return undefined;
  try {
    return await readStopReminders(deps, token);
  } catch {
    return undefined; // unknown link, or the database is away: the browser's language then
  }
}

/** Answer every error under `/p/` with the page above (call it from the patient plugin). */
export function registerPatientErrorPage(app: FastifyInstance, memory: ContactMemory): void {
  const deps = app.deps;
  useErrorPage(app, {
    prefix: '/p/',
    async send(request: FastifyRequest, reply: FastifyReply, error: AppError) {
      const known = await linkContext(deps, request);
      const clinic = known?.clinic;
      const query = request.query as { lang?: unknown } | null | undefined;
      const locale = negotiateLocale({
        explicit:
          known?.patientLanguage ?? (typeof query?.lang === 'string' ? query.lang : undefined),
        acceptLanguage: request.headers['accept-language'],
        offered: clinic?.languages ?? LOCALES,
        fallback: clinic?.defaultLanguage ?? 'en',
      });
      const numbers = clinic === undefined ? memory.emergencyNumbers() : [clinic.emergencyNumber];
      return reply
        .status(error.status)
        .header('content-security-policy', CONTENT_POLICIES.patient.csp)
        .header('x-robots-tag', CONTENT_POLICIES.patient.robots ?? 'noindex, nofollow')
        .type('text/html; charset=utf-8')
        .send(pageBytes(patientErrorPage(locale, error.status, numbers)));
    },
  });
}
