/**
 * The patient pages when the database is away (issue 16, decision 0803). A patient who opens
 * their link during a database restart gets a 503 page in their language that still shows the
 * emergency number and the clinic's phone — served without the database, from what this
 * process remembers:
 * - every clinic's name, phone, emergency number and languages, loaded when the app starts
 *   and refreshed (at most once a minute per clinic) whenever a patient page is served;
 * - which clinic each recently used link belongs to (by the token's sha256, never the token).
 * A link not seen since the start falls back to the emergency number(s) of the known clinics,
 * and to "your local emergency number" when none is known.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Locale } from '../../clinical/types.ts';
import { LOCALES } from '../../clinical/types.ts';
import { type Catalogue, negotiateLocale } from '../../i18n/catalogue.ts';
import { linkTokenHash } from '../../services/secrets.ts';
import { type Clinic, findClinic, listClinics } from '../../store/clinics.repository.ts';
import { isDatabaseUnavailable } from '../../store/db-errors.ts';
import { findLinkByTokenHash } from '../../store/links.repository.ts';
import { html, pageBytes, type SafeHtml } from '../shared/html.ts';

/** Seconds the page asks the browser (and any proxy) to wait before trying again. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
const REFRESH_MS = 60_000;
const MAX_LINKS = 20_000;

type Key =
  | 'title'
  | 'body'
  | 'checkInAgain'
  | 'emergencyLead'
  | 'call'
  | 'localEmergency'
  | 'clinicPhone'
  | 'tryAgain';

const TEXT: Catalogue<Key> = {
  title: {
    en: 'We can’t open your page right now',
    es: 'Ahora mismo no podemos abrir su página',
  },
  body: {
    en: 'Our system is having a short break. Please try again in a few minutes.',
    es: 'Nuestro sistema está parado un momento. Vuelva a intentarlo en unos minutos.',
  },
  checkInAgain: {
    en: 'If you were sending your answers, send them again in a few minutes.',
    es: 'Si estaba enviando sus respuestas, vuelva a enviarlas en unos minutos.',
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
  clinicPhone: {
    en: 'For anything else, call {clinic} on {phone}.',
    es: 'Para cualquier otra cosa, llame a {clinic} al {phone}.',
  },
  tryAgain: { en: 'Try again', es: 'Volver a intentar' },
};

function tr(locale: Locale, key: Key, values: Record<string, string> = {}): string {
  return TEXT[key][locale].replace(/\{(\w+)\}/g, (_m, name: string) => values[name] ?? '');
}

interface ClinicContact {
  readonly name: string;
  readonly emergencyNumber: string;
  readonly contactPhone: string;
  readonly languages: readonly Locale[];
  readonly defaultLanguage: Locale;
  readonly loadedAt: number;
}

/** What the 503 page needs, kept in memory; filled while the database answers. */
export class ContactMemory {
  readonly #clinics = new Map<string, ClinicContact>();
  readonly #links = new Map<string, string>();

  rememberClinic(clinic: Clinic, now: number): void {
    this.#clinics.set(clinic.id, {
      name: clinic.name,
      emergencyNumber: clinic.emergencyNumber,
      contactPhone: clinic.contactPhone,
      languages: clinic.languages,
      defaultLanguage: clinic.defaultLanguage,
      loadedAt: now,
    });
  }

  rememberLink(tokenHash: string, clinicId: string): void {
    if (this.#links.has(tokenHash)) return;
    if (this.#links.size >= MAX_LINKS) {
      const oldest = this.#links.keys().next().value;
      if (oldest !== undefined) this.#links.delete(oldest);
    }
    this.#links.set(tokenHash, clinicId);
  }

  clinicOfLink(tokenHash: string): string | undefined {
    return this.#links.get(tokenHash);
  }

  clinic(clinicId: string): ClinicContact | undefined {
    return this.#clinics.get(clinicId);
  }

  /** Every distinct emergency number of the clinics known. */
  emergencyNumbers(): string[] {
    return [...new Set([...this.#clinics.values()].map((c) => c.emergencyNumber))].sort();
  }
}

function telHref(number: string): string {
  return `tel:${number.replace(/[^\d+]/g, '')}`;
}

/** The 503 page; `clinic` undefined when the link is not known to this process. */
export function unavailablePage(
  locale: Locale,
  clinic: ClinicContact | undefined,
  fallbackNumbers: readonly string[],
  retryHref: string,
): string {
  const L = locale;
  const numbers = clinic === undefined ? fallbackNumbers : [clinic.emergencyNumber];
  const calls: SafeHtml[] = numbers.map(
    (n) => html`<a class="btn danger" href="${telHref(n)}">${tr(L, 'call', { number: n })}</a> `,
  );
  const page = html`<!doctype html>
<html lang="${L}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${tr(L, 'title')}</title>
<link rel="stylesheet" href="/assets/patient.css">
</head>
<body>
<main id="main">
<section class="emergency" aria-labelledby="emergency-title">
<h2 id="emergency-title">${tr(L, 'emergencyLead')}</h2>
${calls.length > 0 ? html`<div class="actions">${calls}</div>` : html`<p><strong>${tr(L, 'localEmergency')}</strong></p>`}
</section>
<h1>${tr(L, 'title')}</h1>
<p>${tr(L, 'body')}</p>
<p>${tr(L, 'checkInAgain')}</p>
${clinic === undefined ? '' : html`<p>${tr(L, 'clinicPhone', { clinic: clinic.name, phone: clinic.contactPhone })} <a href="${telHref(clinic.contactPhone)}">${clinic.contactPhone}</a></p>`}
<p><a href="${retryHref}">${tr(L, 'tryAgain')}</a></p>
</main>
</body>
</html>`;
  return page.value;
}

/**
 * Hook the 503 page into the patient pages' context (call it from their plugin): an error the
 * database being away caused becomes the page above; any other error goes on to the app's
 * error handler unchanged.
 */
export function registerUnavailablePage(app: FastifyInstance): ContactMemory {
  const memory = new ContactMemory();
  const { db, clock } = app.deps;

  app.addHook('onReady', async () => {
    try {
      const now = clock.now().getTime();
      for (const clinic of await listClinics(db)) memory.rememberClinic(clinic, now);
    } catch (error) {
      app.log.warn({ err: error }, 'patient pages: clinic contacts not preloaded');
    }
  });

  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const token = (request.params as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || reply.statusCode >= 400) return;
    try {
      const hash = linkTokenHash(token);
      const now = clock.now().getTime();
      let clinicId = memory.clinicOfLink(hash);
      if (clinicId === undefined) {
        clinicId = (await findLinkByTokenHash(db, hash))?.clinicId;
        if (clinicId === undefined) return;
        memory.rememberLink(hash, clinicId);
      }
      const known = memory.clinic(clinicId);
      if (known === undefined || now - known.loadedAt >= REFRESH_MS) {
        const clinic = await findClinic(db, clinicId);
        if (clinic !== undefined) memory.rememberClinic(clinic, now);
      }
    } catch {
      // Best effort: the page was served; the memory is refreshed next time.
    }
  });

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (!isDatabaseUnavailable(error)) throw error;
    request.log.warn({ err: error }, 'patient page: database unavailable');
    const token = (request.params as { token?: unknown } | undefined)?.token;
    const clinicId =
      typeof token === 'string' ? memory.clinicOfLink(linkTokenHash(token)) : undefined;
    const clinic = clinicId === undefined ? undefined : memory.clinic(clinicId);
    const query = request.query as { lang?: unknown } | undefined;
    const body = request.body as { lang?: unknown } | undefined;
    const explicit = [query?.lang, body?.lang, request.cookies?.nc_lang].find(
      (v): v is string => typeof v === 'string',
    );
    const locale = negotiateLocale({
      explicit,
      acceptLanguage: request.headers['accept-language'],
      offered: clinic?.languages ?? LOCALES,
      fallback: clinic?.defaultLanguage ?? 'en',
    });
    const retryHref = typeof token === 'string' ? `/p/${encodeURIComponent(token)}` : '/';
    return reply
      .status(503)
      .header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS))
      .type('text/html; charset=utf-8')
      .send(pageBytes(unavailablePage(locale, clinic, memory.emergencyNumbers(), retryHref)));
  });

  return memory;
}
