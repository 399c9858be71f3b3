import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { requestActor, requestLinkActor } from '../../api/audit.ts';
import type { AppDeps } from '../../api/deps.ts';
import { usePatientLinkLimits } from '../../api/patient-link-limits.ts';
import { CONTENT_POLICIES, usePagePolicy } from '../../api/security-headers.ts';
import { aftercareFor, dateInSentence, formatDateTime } from '../../clinical/aftercare.ts';
import type { ReportInput } from '../../clinical/case-schema.ts';
import { validateReportInput } from '../../clinical/case-schema.ts';
import { nextCheckIn } from '../../clinical/checkin-plan.ts';
import { countryOfLanguageTag, emergencyNumberFor } from '../../clinical/emergency-numbers.ts';
import type { Locale } from '../../clinical/types.ts';
import { isLocale, negotiateLocale } from '../../i18n/catalogue.ts';
import type { LinkActor } from '../../services/actors.ts';
import { AppError } from '../../services/errors.ts';
import {
  type ActiveLink,
  actionNeeded,
  clinicOfGoneLink,
  openPatientSession,
  type PatientSession,
  readCheckInAnswer,
  readPatientSession,
  resolveLinkForEmergency,
  resolvePatientLink,
} from '../../services/patient-link.ts';
import { coreSites, firedRulesOf } from '../../services/schemas/views.ts';
import { readStopReminders, stopReminders } from '../../services/stop-reminders.ts';
import {
  type CheckInResponse,
  pressEmergencyButton,
  submitCheckIn,
} from '../../services/submit-check-in.ts';
import { PATHS, productUrls } from '../../services/urls.ts';
import type { Clinic } from '../../store/clinics.repository.ts';
import { pageBytes } from '../shared/html.ts';
import { registerPatientErrorPage } from './error-page.ts';
import { formSymptoms } from './form-symptoms.ts';
import { registerUnavailablePage } from './unavailable.ts';
import type { PageContext } from './views.ts';
import {
  answerPage,
  checkInPage,
  emergencyPage,
  handoutPage,
  linkGonePage,
  sessionPage,
  stopRemindersPage,
  t,
} from './views.ts';

const CSS = readFileSync(new URL('./patient.css', import.meta.url), 'utf8');

/** No script at all (src/api/security-headers.ts holds every policy; docs/decisions/0300). */
export const PATIENT_CSP = CONTENT_POLICIES.patient.csp;

const LANG_COOKIE = 'nc_lang';

type TokenRequest = FastifyRequest<{ Params: { token: string }; Querystring: { lang?: string } }>;

/** The link a page request holds, and the request acting as its holder. */
interface Opened {
  readonly link: ActiveLink;
  readonly actor: LinkActor;
}

/**
 * The patient pages (issue 4): server-rendered, no script, one session per link. Each route
 * parses, calls the same services as the JSON API (link resolution, check-in, emergency
 * button, stop reminders) and renders HTML, so a form check-in and an API check-in are stored,
 * triaged and alerted identically.
 */
export async function patientPagesPlugin(app: FastifyInstance): Promise<void> {
  const deps: AppDeps = app.deps;
  const { clock } = deps;
  await app.register(formbody, { bodyLimit: 8 * 1024 });
  // Database away: a 503 page that still shows the emergency number (issue 16).
  const contacts = registerUnavailablePage(app);
  // Any other error under /p/: a page in the patient's language, not JSON (issue 12, finding 5).
  registerPatientErrorPage(app, contacts);
  // Per link and per IP, counted with the JSON API's patient-link routes; never blocking the
  // emergency button (issue 12, finding 7; decision 1121).
  usePatientLinkLimits(app);

  usePagePolicy(app, 'patient');

  app.get(
    '/assets/patient.css',
    { config: { access: 'public' }, schema: { hide: true } },
    async (_request, reply) =>
      reply
        .header('cache-control', 'public, max-age=86400')
        .type('text/css; charset=utf-8')
        .send(CSS),
  );

  /** The link of the token, or `undefined` once the friendly "link gone" page is sent. */
  async function open(request: TokenRequest, reply: FastifyReply): Promise<Opened | undefined> {
    const token = request.params.token;
    try {
      const link = await resolvePatientLink(deps, requestActor(request), token);
      return { link, actor: requestLinkActor(request, link) };
    } catch (error) {
      await refuseLink(request, reply, error);
      return undefined;
    }
  }

  /** A link that opens nothing: the friendly 404/410 page (with the clinic's numbers). */
  async function refuseLink(
    request: TokenRequest,
    reply: FastifyReply,
    error: unknown,
  ): Promise<void> {
    if (!(error instanceof AppError)) throw error;
    const token = request.params.token;
    if (error.code === 'not_found') request.log.warn('unknown patient-link token');
    const clinic = error.code === 'link_gone' ? await clinicOfGoneLink(deps, token) : undefined;
    await sendGone(request, reply, error.code === 'link_gone' ? 410 : 404, clinic);
  }

  async function sendGone(
    request: TokenRequest,
    reply: FastifyReply,
    status: number,
    clinic: Clinic | undefined,
  ): Promise<void> {
    const locale = negotiateLocale({
      explicit: request.query.lang,
      acceptLanguage: request.headers['accept-language'],
      offered: clinic?.languages ?? ['en', 'es'],
      fallback: clinic?.defaultLanguage ?? 'en',
    });
    // No clinic known (an unknown link): the number of the country the phone says it is in.
    const phoneCountry = (request.headers['accept-language'] ?? '')
      .split(',')
      .map((tag) => countryOfLanguageTag(tag.split(';')[0]?.trim() ?? ''))
      .find((c) => c !== undefined);
    await html(reply, status, linkGonePage(locale, clinic, emergencyNumberFor(phoneCountry)));
  }

  /**
   * The page context: the language (the switcher, then the phone's language, then what the
   * clinic recorded for the patient, then the clinic's default; docs/decisions/0300), the
   * links' base and the clinic's numbers.
   */
  function contextOf(
    request: TokenRequest,
    reply: FastifyReply,
    view: { readonly clinic: Clinic; readonly patientLanguage: Locale | undefined },
  ): PageContext {
    const { clinic } = view;
    const body = request.body as Record<string, unknown> | undefined;
    const fromForm = typeof body?.lang === 'string' ? body.lang : undefined;
    const base = PATHS.patientPage(request.params.token);
    // The patient's own switch (this request, or kept for this link only), then the language
    // the clinic recorded for the patient, before the phone's (decision 1203): a handout
    // printed in the clinic's browser speaks the patient's language.
    const explicit =
      request.query.lang ?? fromForm ?? request.cookies[LANG_COOKIE] ?? view.patientLanguage;
    if (request.query.lang !== undefined && isLocale(request.query.lang)) {
      reply.setCookie(LANG_COOKIE, request.query.lang, {
        path: base,
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.config.cookieSecure,
        maxAge: 60 * 60 * 24 * 30,
      });
    }
    const locale = negotiateLocale({
      explicit,
      acceptLanguage: request.headers['accept-language'],
      offered: clinic.languages,
      fallback: view.patientLanguage ?? clinic.defaultLanguage,
    });
    return {
      locale,
      base,
      path: request.url.split('?')[0] ?? base,
      clinic: {
        name: clinic.name,
        emergencyNumber: clinic.emergencyNumber,
        contactPhone: clinic.contactPhone,
      },
    };
  }

  function nextText(view: PatientSession, locale: Locale): string | undefined {
    const next = nextCheckIn(view.plan, clock.now().toISOString());
    return next === undefined
      ? undefined
      : formatDateTime(next.dueAt, view.clinic.timeZone, locale);
  }

  function html(reply: FastifyReply, status: number, body: string): FastifyReply {
    return reply.status(status).type('text/html; charset=utf-8').send(pageBytes(body));
  }

  const route = { config: { access: 'link' as const }, schema: { hide: true } };

  app.get('/p/:token', route, async (request: TokenRequest, reply) => {
    const opened = await open(request, reply);
    if (opened === undefined) return reply;
    const view = await readPatientSession(deps, opened.actor, { ...opened, what: 'session' });
    const { session, clinic } = view;
    const ctx = contextOf(request, reply, view);
    return html(
      reply,
      200,
      sessionPage(ctx, {
        performedAtText: dateInSentence(session.performedAt, clinic.timeZone, ctx.locale),
        sites: session.sites.map((s) => ({ muscle: s.muscle, side: s.side ?? undefined })),
        aftercare: aftercareFor(
          { performedAt: session.performedAt, sites: coreSites(session.sites) },
          { now: clock.now().toISOString(), timeZone: clinic.timeZone, locale: ctx.locale },
        ),
        points: view.checkIns.map((c) => ({
          hoursAfter: c.hoursAfter,
          soreness: c.soreness,
          ...(c.assessment === null ? {} : { disposition: c.assessment.disposition }),
        })),
        nextCheckInText: nextText(view, ctx.locale),
        actionNeeded: actionNeeded(view),
      }),
    );
  });

  app.get('/p/:token/check-in', route, async (request: TokenRequest, reply) => {
    const opened = await open(request, reply);
    if (opened === undefined) return reply;
    const view = await readPatientSession(deps, opened.actor, {
      ...opened,
      what: 'check_in_form',
    });
    return html(
      reply,
      200,
      checkInPage(contextOf(request, reply, view), {
        idempotencyKey: randomUUID(),
        thoracic: view.session.thoracic,
      }),
    );
  });

  app.post('/p/:token/check-in', route, async (request: TokenRequest, reply) => {
    const opened = await open(request, reply);
    if (opened === undefined) return reply;
    const form = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(form);
    if (!parsed.ok) {
      const view = await openPatientSession(deps, opened.actor, opened.link);
      const ctx = contextOf(request, reply, view);
      return html(
        reply,
        400,
        checkInPage(ctx, {
          idempotencyKey: randomUUID(),
          thoracic: view.session.thoracic,
          errors: parsed.errors.map((e) => t(ctx.locale, FORM_ERROR_TEXT[e])),
          values: parsed.values,
        }),
      );
    }
    const key = stringField(form.idempotencyKey);
    // A key reused with other answers (a form sent twice after editing) is a new check-in.
    const formKey = key === undefined || key.length > 200 ? undefined : `form:${key}`;
    const send = (idempotencyKey: string | undefined) =>
      submitCheckIn(deps, opened.actor, {
        link: opened.link,
        input: parsed.input,
        source: 'patient',
        idempotencyKey,
      });
    let result: CheckInResponse;
    try {
      result = await send(formKey).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'idempotency_key_reused')
          return send(undefined);
        throw error;
      });
    } catch (error) {
      // Withdrawn after the door opened it, found so under the session's lock (decision 1443).
      if (!(error instanceof AppError) || error.code !== 'link_gone') throw error;
      await refuseLink(request, reply, error);
      return reply;
    }
    return toAnswer(request, reply, result);
  });

  // The button never meets "this link no longer works" while the link is within its grace
  // period (decision 1202). A withdrawn link's answer page would be "gone", so the emergency
  // page is the answer to the post itself.
  app.post('/p/:token/emergency', route, async (request: TokenRequest, reply) => {
    let resolved: { link: ActiveLink; active: boolean };
    try {
      resolved = await resolveLinkForEmergency(deps, requestActor(request), request.params.token);
    } catch (error) {
      await refuseLink(request, reply, error);
      return reply;
    }
    const actor = requestLinkActor(request, resolved.link);
    const result = await pressEmergencyButton(deps, actor, {
      link: resolved.link,
      idempotencyKey: undefined,
    });
    if (resolved.active) return toAnswer(request, reply, result);
    const view = await openPatientSession(deps, actor, resolved.link);
    const ctx = contextOf(request, reply, view);
    const a = result.body.assessment;
    return html(
      reply,
      200,
      emergencyPage(ctx, {
        sessionWhenText: dateInSentence(view.session.performedAt, view.clinic.timeZone, ctx.locale),
        reasons: firedRulesOf(a.ruleIds, a.rulebookVersion, a.thoracic).map(
          (r) => r.patientText[ctx.locale],
        ),
      }),
    );
  });

  function toAnswer(
    request: TokenRequest,
    reply: FastifyReply,
    result: CheckInResponse,
  ): FastifyReply {
    const base = PATHS.patientPage(request.params.token);
    return reply.redirect(`${base}/answers/${result.body.checkIn.id}`, 303);
  }

  app.get(
    '/p/:token/answers/:checkInId',
    route,
    async (
      request: FastifyRequest<{
        Params: { token: string; checkInId: string };
        Querystring: { lang?: string };
      }>,
      reply,
    ) => {
      const opened = await open(request, reply);
      if (opened === undefined) return reply;
      const answer = await readCheckInAnswer(deps, opened.actor, {
        link: opened.link,
        checkInId: request.params.checkInId,
      });
      if (answer === undefined) return reply.redirect(PATHS.patientPage(request.params.token), 303);
      const ctx = contextOf(request, reply, answer);
      const L = ctx.locale;
      const { session, clinic } = answer;
      const a = answer.checkIn.assessment;
      const reasons = firedRulesOf(a.rules, a.rulebookVersion, a.thoracic).map(
        (r) => r.patientText[L],
      );
      if (answer.checkIn.source === 'emergency_button') {
        return html(
          reply,
          200,
          emergencyPage(ctx, {
            sessionWhenText: dateInSentence(session.performedAt, clinic.timeZone, L),
            reasons,
          }),
        );
      }
      const status = answer.clinicStatus;
      return html(
        reply,
        200,
        answerPage(ctx, {
          disposition: a.disposition,
          reasons,
          nextCheckInText: nextText(answer, L),
          earlierUnacknowledged: answer.earlierUnacknowledged,
          presence: !answer.staffedHoursSet
            ? { kind: 'unknown' }
            : status.open
              ? { kind: 'open' }
              : {
                  kind: 'closed',
                  opensText:
                    status.opensAt === undefined
                      ? undefined
                      : dateInSentence(status.opensAt, clinic.timeZone, L),
                },
          afterHoursPhone: answer.afterHoursPhone,
          advice: aftercareFor(
            { performedAt: session.performedAt, sites: coreSites(session.sites) },
            { now: clock.now().toISOString(), timeZone: clinic.timeZone, locale: L },
          ).items.filter((i) => i.id !== 'breathing_warning'),
        }),
      );
    },
  );

  app.get('/p/:token/handout', route, async (request: TokenRequest, reply) => {
    const opened = await open(request, reply);
    if (opened === undefined) return reply;
    const view = await readPatientSession(deps, opened.actor, { ...opened, what: 'handout' });
    const { session, clinic } = view;
    const ctx = contextOf(request, reply, view);
    const linkUrl = productUrls(deps.config.publicUrl).patientPage(request.params.token);
    const qrSvg = await QRCode.toString(linkUrl, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
    });
    return html(
      reply,
      200,
      handoutPage(ctx, {
        qrSvg: qrSvg.replace(
          '<svg ',
          `<svg role="img" aria-label="${t(ctx.locale, 'handoutScan').replace(/"/g, '')}" `,
        ),
        linkUrl,
        aftercare: aftercareFor(
          { performedAt: session.performedAt, sites: coreSites(session.sites) },
          { now: session.performedAt, timeZone: clinic.timeZone, locale: ctx.locale },
        ),
        checkInTimes: view.plan.checkIns.map((c) =>
          dateInSentence(c.dueAt, clinic.timeZone, ctx.locale),
        ),
        performedAtText: dateInSentence(session.performedAt, clinic.timeZone, ctx.locale),
        sites: session.sites.map((s) => ({ muscle: s.muscle, side: s.side ?? undefined })),
      }),
    );
  });

  // The stop link of every reminder: GET asks, POST stops. A GET never changes anything (mail
  // scanners and link previews fetch links on their own); the POST also serves RFC 8058
  // one-click unsubscribe (`List-Unsubscribe=One-Click`). Expired and revoked links work too.
  app.get('/p/:token/stop', route, async (request: TokenRequest, reply) => {
    const target = await stopTarget(request, reply, () =>
      readStopReminders(deps, request.params.token),
    );
    if (target === undefined) return reply;
    return html(
      reply,
      200,
      stopRemindersPage(contextOf(request, reply, target), { stopped: false }),
    );
  });

  app.post('/p/:token/stop', route, async (request: TokenRequest, reply) => {
    const target = await stopTarget(request, reply, () =>
      stopReminders(deps, requestActor(request), { token: request.params.token }),
    );
    if (target === undefined) return reply;
    return html(
      reply,
      200,
      stopRemindersPage(contextOf(request, reply, target), { stopped: true }),
    );
  });

  async function stopTarget(
    request: TokenRequest,
    reply: FastifyReply,
    run: () => Promise<{ clinic: Clinic | undefined; patientLanguage: Locale | undefined }>,
  ): Promise<{ clinic: Clinic; patientLanguage: Locale | undefined } | undefined> {
    try {
      const { clinic, patientLanguage } = await run();
      if (clinic !== undefined) return { clinic, patientLanguage };
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'not_found') throw error;
    }
    await sendGone(request, reply, 404, undefined);
    return undefined;
  }
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Why a check-in form was refused, each said in the page's words (`FORM_ERROR_TEXT`). */
type FormError = 'soreness' | 'symptoms-unread' | 'note-unread';

const FORM_ERROR_TEXT = {
  soreness: 'sorenessMissing',
  'symptoms-unread': 'symptomsUnread',
  'note-unread': 'noteUnread',
} as const satisfies Record<FormError, string>;

type ParsedForm =
  | { ok: true; input: ReportInput }
  | {
      ok: false;
      errors: FormError[];
      values: { soreness?: number; symptoms: string[]; note?: string };
    };

/** A form body as the core's validator takes it: soreness as a number, symptoms as a list. */
function parseForm(form: Record<string, unknown>): ParsedForm {
  const { symptoms, stray } = formSymptoms(form);
  const rawSoreness = form.soreness;
  const soreness =
    typeof rawSoreness === 'string' && /^\d{1,2}$/.test(rawSoreness)
      ? Number(rawSoreness)
      : undefined;
  // A note sent twice (a crafted form) keeps both parts: refusing it could cost a red flag,
  // dropping it would lose what the patient wrote. Anything else that is not text is refused.
  const rawNote =
    Array.isArray(form.note) && form.note.every((part) => typeof part === 'string')
      ? form.note.join('\n')
      : form.note;
  const note = typeof rawNote === 'string' ? rawNote : undefined;
  const result = validateReportInput({
    // No number chosen: the core accepts that only with a red-flag symptom (RULES.md v1.1).
    soreness: soreness ?? (rawSoreness === '' ? undefined : rawSoreness),
    symptoms,
    ...(rawNote === undefined ? {} : { note: rawNote }),
  });
  // A field that looks like symptoms but is not one of ours: never store the report without it.
  if (result.ok && stray.length === 0) return { ok: true, input: result.value };
  const issues = result.ok ? [] : result.error;
  // The core's issues are in English for the API; the page says each in its own words. Past
  // soreness and the note, only the symptoms can be refused (an unknown code).
  const codes = issues.map(
    (issue): FormError =>
      issue.path === 'soreness'
        ? 'soreness'
        : issue.path === 'note'
          ? 'note-unread'
          : 'symptoms-unread',
  );
  return {
    ok: false,
    errors: [
      ...new Set<FormError>([...(stray.length > 0 ? ['symptoms-unread' as const] : []), ...codes]),
    ],
    values: {
      ...(soreness === undefined ? {} : { soreness }),
      symptoms,
      ...(note === undefined ? {} : { note }),
    },
  };
}
