import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { aftercareFor, formatDateTime } from '../../clinical/aftercare.ts';
import type { ReportInput } from '../../clinical/case-schema.ts';
import { validateReportInput } from '../../clinical/case-schema.ts';
import type { CheckInPlan } from '../../clinical/checkin-plan.ts';
import { nextCheckIn, planCheckIns } from '../../clinical/checkin-plan.ts';
import type { Disposition } from '../../clinical/types.ts';
import { compareDispositions } from '../../clinical/types.ts';
import type { AuditWhat } from '../../services/audit.ts';
import { linkActor } from '../../api/audit.ts';
import { recordAudit } from '../../services/audit.ts';
import type { AppDeps } from '../../api/deps.ts';
import { AppError } from '../../services/errors.ts';
import { resolveLink } from '../../api/routes/patient-link/resolve-link.ts';
import type { ActiveLink } from '../../api/routes/patient-link/resolve-link.ts';
import { submitCheckIn } from '../../api/routes/patient-link/submit-check-in.ts';
import { sha256Hex } from '../../services/secrets.ts';
import { coreSites, firedRulesOf } from '../../api/views.ts';
import { clinicIsOpen } from '../../jobs/alerts.ts';
import { clinicClosedNotice } from '../../jobs/messages.ts';
import { readJobSettings } from '../../jobs/settings.ts';
import type { AlertSeverity } from '../../store/alerts.repository.ts';
import { findOpenAlertForSession } from '../../store/alerts.repository.ts';
import type { CheckInSource } from '../../store/checkins.repository.ts';
import { listCheckInsForSession } from '../../store/checkins.repository.ts';
import type { Clinic } from '../../store/clinics.repository.ts';
import { findClinic } from '../../store/clinics.repository.ts';
import { findLinkByTokenHash } from '../../store/links.repository.ts';
import { findPatient } from '../../store/patients.repository.ts';
import type { NeedlingSession } from '../../store/sessions.repository.ts';
import { findNeedlingSession } from '../../store/sessions.repository.ts';
import { isLocale, negotiateLocale } from '../shared/i18n.ts';
import { registerUnavailablePage } from './unavailable.ts';
import type { PageContext } from './views.ts';
import {
  answerPage,
  checkInPage,
  emergencyPage,
  handoutPage,
  linkGonePage,
  sessionPage,
  t,
} from './views.ts';

const CSS = readFileSync(new URL('./patient.css', import.meta.url), 'utf8');

/** No script, no frames, no outside origin; forms post only to us (docs/decisions/0300). */
export const PATIENT_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const LANG_COOKIE = 'nc_lang';

const SEVERITY_DISPOSITION: Readonly<Record<AlertSeverity, Disposition>> = {
  routine: 'contact_practitioner',
  urgent: 'urgent_same_day',
  emergency: 'emergency',
};

interface Loaded {
  readonly link: ActiveLink;
  readonly session: NeedlingSession;
  readonly clinic: Clinic;
  readonly ctx: PageContext;
  readonly plan: CheckInPlan;
}

type TokenRequest = FastifyRequest<{ Params: { token: string }; Querystring: { lang?: string } }>;

/**
 * The patient pages (issue 4): server-rendered, no script, one session per link. They go
 * through the same link resolution and check-in path as the JSON API, so a form check-in and an
 * API check-in are stored, triaged and alerted identically.
 */
export async function patientPagesPlugin(app: FastifyInstance): Promise<void> {
  const deps: AppDeps = app.deps;
  const { db, clock } = deps;
  await app.register(formbody, { bodyLimit: 8 * 1024 });
  // Database away: a 503 page that still shows the emergency number (issue 16).
  registerUnavailablePage(app);

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/p/')) {
      reply.header('content-security-policy', PATIENT_CSP);
      reply.header('cache-control', 'no-store');
      reply.header('x-robots-tag', 'noindex, nofollow');
    }
    return payload;
  });

  app.get(
    '/assets/patient.css',
    { config: { access: 'public' }, schema: { hide: true } },
    async (_request, reply) =>
      reply
        .header('cache-control', 'public, max-age=86400')
        .type('text/css; charset=utf-8')
        .send(CSS),
  );

  /** Resolve the token and everything a page needs, or answer with the friendly "link gone" page. */
  async function load(request: TokenRequest, reply: FastifyReply): Promise<Loaded | undefined> {
    const token = request.params.token;
    let link: ActiveLink;
    try {
      link = await resolveLink(deps, request, token);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const gone =
        error.code === 'link_gone' ? await findLinkByTokenHash(db, sha256Hex(token)) : undefined;
      const clinic = gone === undefined ? undefined : await findClinic(db, gone.clinicId);
      const locale = negotiateLocale({
        explicit: request.query.lang,
        acceptLanguage: request.headers['accept-language'],
        offered: clinic?.languages ?? ['en', 'es'],
        fallback: clinic?.defaultLanguage ?? 'en',
      });
      await reply
        .status(error.code === 'link_gone' ? 410 : 404)
        .type('text/html; charset=utf-8')
        .send(linkGonePage(locale, clinic));
      return undefined;
    }
    const session = await findNeedlingSession(db, link.clinicId, link.sessionId);
    const clinic = await findClinic(db, link.clinicId);
    const patient = await findPatient(db, link.clinicId, link.patientId);
    if (session === undefined || clinic === undefined) {
      await reply.status(404).type('text/html; charset=utf-8').send(linkGonePage('en', undefined));
      return undefined;
    }
    const body = request.body as Record<string, unknown> | undefined;
    const fromForm = typeof body?.lang === 'string' ? body.lang : undefined;
    const explicit = request.query.lang ?? fromForm ?? request.cookies[LANG_COOKIE];
    if (request.query.lang !== undefined && isLocale(request.query.lang)) {
      reply.setCookie(LANG_COOKIE, request.query.lang, {
        path: '/p',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.config.cookieSecure,
        maxAge: 60 * 60 * 24 * 30,
      });
    }
    // The switcher, then the phone's language, then what the clinic recorded for the patient,
    // then the clinic's default (docs/decisions/0300-patient-pages.md).
    const locale = negotiateLocale({
      explicit,
      acceptLanguage: request.headers['accept-language'],
      offered: clinic.languages,
      fallback: patient?.language ?? clinic.defaultLanguage,
    });
    const base = `/p/${encodeURIComponent(token)}`;
    const path = request.url.split('?')[0] ?? base;
    return {
      link,
      session,
      clinic,
      plan: planCheckIns(
        { performedAt: session.performedAt, sites: coreSites(session.sites) },
        { planHours: clinic.checkInPlanHours, thoracicPlanHours: clinic.thoracicPlanHours },
      ),
      ctx: {
        locale,
        base,
        path,
        clinic: {
          name: clinic.name,
          emergencyNumber: clinic.emergencyNumber,
          contactPhone: clinic.contactPhone,
        },
      },
    };
  }

  async function audit(
    request: FastifyRequest,
    loaded: Loaded,
    what: Omit<AuditWhat, 'patientId' | 'subjectType' | 'subjectId'>,
  ): Promise<void> {
    await recordAudit(db, clock, linkActor(request, loaded.link), {
      ...what,
      subjectType: 'needling_session',
      subjectId: loaded.session.id,
      patientId: loaded.session.patientId,
    });
  }

  function nextText(loaded: Loaded): string | undefined {
    const next = nextCheckIn(loaded.plan, clock.now().toISOString());
    return next === undefined
      ? undefined
      : formatDateTime(next.dueAt, loaded.clinic.timeZone, loaded.ctx.locale);
  }

  function html(reply: FastifyReply, status: number, body: string): FastifyReply {
    return reply.status(status).type('text/html; charset=utf-8').send(body);
  }

  const route = { config: { access: 'link' as const }, schema: { hide: true } };

  app.get('/p/:token', route, async (request: TokenRequest, reply) => {
    const loaded = await load(request, reply);
    if (loaded === undefined) return reply;
    const { session, clinic, ctx } = loaded;
    const checkIns = await listCheckInsForSession(db, session.id);
    await audit(request, loaded, { action: 'patient_page.session.read' });
    const now = clock.now().toISOString();
    return html(
      reply,
      200,
      sessionPage(ctx, {
        performedAtText: formatDateTime(session.performedAt, clinic.timeZone, ctx.locale),
        sites: session.sites.map((s) => ({ muscle: s.muscle, side: s.side ?? undefined })),
        aftercare: aftercareFor(
          { performedAt: session.performedAt, sites: coreSites(session.sites) },
          { now, timeZone: clinic.timeZone, locale: ctx.locale },
        ),
        points: checkIns.map((c) => ({
          hoursAfter: c.hoursAfter,
          soreness: c.soreness,
          ...(c.assessment === null ? {} : { disposition: c.assessment.disposition }),
        })),
        nextCheckInText: nextText(loaded),
      }),
    );
  });

  app.get('/p/:token/check-in', route, async (request: TokenRequest, reply) => {
    const loaded = await load(request, reply);
    if (loaded === undefined) return reply;
    await audit(request, loaded, { action: 'patient_page.check_in_form.read' });
    return html(
      reply,
      200,
      checkInPage(loaded.ctx, { idempotencyKey: randomUUID(), thoracic: loaded.session.thoracic }),
    );
  });

  app.post('/p/:token/check-in', route, async (request: TokenRequest, reply) => {
    const loaded = await load(request, reply);
    if (loaded === undefined) return reply;
    const form = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(form);
    const L = loaded.ctx.locale;
    if (!parsed.ok) {
      return html(
        reply,
        400,
        checkInPage(loaded.ctx, {
          idempotencyKey: randomUUID(),
          thoracic: loaded.session.thoracic,
          errors: parsed.errors.map((e) => (e === 'soreness' ? t(L, 'sorenessMissing') : e)),
          values: parsed.values,
        }),
      );
    }
    const checkInId = await submit(
      request,
      loaded,
      parsed.input,
      'patient',
      stringField(form.idempotencyKey),
    );
    return reply.redirect(`${loaded.ctx.base}/answers/${checkInId}`, 303);
  });

  app.post('/p/:token/emergency', route, async (request: TokenRequest, reply) => {
    const loaded = await load(request, reply);
    if (loaded === undefined) return reply;
    const last = (await listCheckInsForSession(db, loaded.session.id)).at(-1);
    const checkInId = await submit(
      request,
      loaded,
      { soreness: last?.soreness ?? 0, symptoms: ['chest_pain'] },
      'emergency_button',
      undefined,
    );
    return reply.redirect(`${loaded.ctx.base}/answers/${checkInId}`, 303);
  });

  async function submit(
    request: FastifyRequest,
    loaded: Loaded,
    input: ReportInput,
    source: CheckInSource,
    key: string | undefined,
  ): Promise<string> {
    const result = await submitCheckIn(deps, {
      link: loaded.link,
      input,
      source,
      // A key reused with other answers (a form sent twice after editing) is a new check-in.
      idempotencyKey: key === undefined || key.length > 200 ? undefined : `form:${key}`,
      actor: linkActor(request, loaded.link),
    }).catch(async (error: unknown) => {
      if (error instanceof AppError && error.code === 'idempotency_key_reused') {
        return submitCheckIn(deps, {
          link: loaded.link,
          input,
          source,
          idempotencyKey: undefined,
          actor: linkActor(request, loaded.link),
        });
      }
      throw error;
    });
    const body = result.body as { checkIn: { id: string } };
    return body.checkIn.id;
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
      const loaded = await load(request, reply);
      if (loaded === undefined) return reply;
      const { session, clinic, ctx } = loaded;
      const L = ctx.locale;
      const checkIns = await listCheckInsForSession(db, session.id);
      const checkIn = checkIns.find((c) => c.id === request.params.checkInId);
      if (checkIn === undefined || checkIn.assessment === null)
        return reply.redirect(ctx.base, 303);
      await audit(request, loaded, {
        action: 'patient_page.answer.read',
        details: { checkInId: checkIn.id },
      });
      const a = checkIn.assessment;
      const reasons = firedRulesOf(a.rules, a.rulebookVersion, a.thoracic).map(
        (r) => r.patientText[L],
      );
      if (checkIn.source === 'emergency_button') {
        return html(
          reply,
          200,
          emergencyPage(ctx, {
            sessionWhenText: formatDateTime(session.performedAt, clinic.timeZone, L),
            reasons,
          }),
        );
      }
      const open = await findOpenAlertForSession(db, session.id);
      const openDisposition = open === undefined ? undefined : SEVERITY_DISPOSITION[open.severity];
      const earlier =
        openDisposition !== undefined &&
        compareDispositions(openDisposition, 'urgent_same_day') >= 0 &&
        compareDispositions(openDisposition, a.disposition) > 0
          ? openDisposition
          : undefined;
      const status = clinicIsOpen(clinic, clock.now());
      const closed = clinicClosedNotice(
        clinic,
        status,
        L,
        readJobSettings(clinic.escalation).afterHoursPhone,
      );
      return html(
        reply,
        200,
        answerPage(ctx, {
          disposition: a.disposition,
          reasons,
          nextCheckInText: nextText(loaded),
          earlierUnacknowledged: earlier,
          closedNotice: a.disposition === 'self_care' ? undefined : (closed ?? undefined),
        }),
      );
    },
  );

  app.get('/p/:token/handout', route, async (request: TokenRequest, reply) => {
    const loaded = await load(request, reply);
    if (loaded === undefined) return reply;
    const { session, clinic, ctx } = loaded;
    await audit(request, loaded, { action: 'patient_page.handout.read' });
    const linkUrl = `${deps.config.publicUrl}/p/${encodeURIComponent(request.params.token)}`;
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
        performedAtText: formatDateTime(session.performedAt, clinic.timeZone, ctx.locale),
        sites: session.sites.map((s) => ({ muscle: s.muscle, side: s.side ?? undefined })),
      }),
    );
  });
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

type ParsedForm =
  | { ok: true; input: ReportInput }
  | {
      ok: false;
      errors: string[];
      values: { soreness?: number; symptoms: string[]; note?: string };
    };

/** A form body as the core's validator takes it: soreness as a number, symptoms as a list. */
function parseForm(form: Record<string, unknown>): ParsedForm {
  const rawSymptoms = form.symptoms;
  const symptoms = Array.isArray(rawSymptoms)
    ? rawSymptoms.map(String)
    : typeof rawSymptoms === 'string'
      ? [rawSymptoms]
      : [];
  const rawSoreness = form.soreness;
  const soreness =
    typeof rawSoreness === 'string' && /^\d{1,2}$/.test(rawSoreness)
      ? Number(rawSoreness)
      : undefined;
  const note = typeof form.note === 'string' ? form.note : undefined;
  const result = validateReportInput({
    soreness: soreness ?? rawSoreness,
    symptoms,
    ...(note === undefined ? {} : { note }),
  });
  if (result.ok) return { ok: true, input: result.value };
  return {
    ok: false,
    errors: result.error.map((issue) =>
      issue.path === 'soreness' ? 'soreness' : `${issue.path}: ${issue.message}`,
    ),
    values: {
      ...(soreness === undefined ? {} : { soreness }),
      symptoms,
      ...(note === undefined ? {} : { note }),
    },
  };
}

