import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { requestActor } from '../../../api/audit.ts';
import { fieldIssuesFromAjv } from '../../../api/errors.ts';
import type { CheckInPlan } from '../../../clinical/checkin-plan.ts';
import { findMuscle, isBilateralThoracic } from '../../../clinical/muscles.ts';
import { type Locale, SIDES, type Side } from '../../../clinical/types.ts';
import { AppError, type FieldIssue } from '../../../services/errors.ts';
import type { IssuedLink } from '../../../services/links.ts';
import { getPatient, searchPatients } from '../../../services/patients.ts';
import { type RecordSessionBody, recordSessionOnce } from '../../../services/record-session.ts';
import { type NewPatientBody, newPatientSchema } from '../../../services/schemas/patients.ts';
import { readHandover, reissuePatientLink } from '../../../services/sessions.ts';
import type { Clinic } from '../../../store/clinics.repository.ts';
import { findPatient, type Patient } from '../../../store/patients.repository.ts';
import { field, fields, sendPage, staffOf, UUID_RE } from '../context.ts';
import type { PageContext } from '../layout.ts';
import { messagePage } from '../layout.ts';
import { tr } from '../messages.ts';
import {
  alreadyRecordedPage,
  type RecordFormState,
  recordPage,
  resultPage,
  sideText,
} from '../pages/record.page.ts';
import { issueWords } from '../service-words.ts';
import { formatInstant, fromLocalInput, toLocalInput } from '../time.ts';

const staffRoute = { access: 'public', dashboard: 'staff' } as const;
const SEARCH_LIMIT = 10;

interface ParsedSite {
  readonly muscle: string;
  readonly side: Side;
  readonly needleCount?: number;
}

/** Ticked `muscle:side` boxes and per-muscle needle counts → sites, in catalogue order of ticking. */
export function parseSites(body: unknown): {
  sites: ParsedSite[];
  ticked: Set<string>;
  needles: Record<string, string>;
} {
  const ticked = new Set(fields(body, 'site'));
  const needles: Record<string, string> = {};
  const sites: ParsedSite[] = [];
  for (const value of ticked) {
    const [muscle = '', side = ''] = value.split(':');
    if (findMuscle(muscle) === undefined || !(SIDES as readonly string[]).includes(side)) continue;
    const n = field(body, `n_${muscle}`).trim();
    needles[muscle] = n;
    sites.push({ muscle, side: side as Side, ...(n === '' ? {} : { needleCount: Number(n) }) });
  }
  return { sites, ticked, needles };
}

/** A field issue of the shared validators, in words naming the muscle rather than `sites[3]`. */
function issueText(L: Locale, issue: FieldIssue, sites: readonly ParsedSite[]): string {
  if (issue.field === 'performedAt') return tr(L, 'errPerformedAt');
  const m = /^sites\[(\d+)\]/.exec(issue.field);
  const site = m === null ? undefined : sites[Number(m[1])];
  if (site !== undefined) {
    const muscle = findMuscle(site.muscle);
    if (issue.field.endsWith('.side'))
      return tr(L, 'errField', {
        field: `${muscle?.name[L] ?? site.muscle} (${sideText(L, site.side)})`,
        message: tr(L, 'errNotMidline'),
      });
    return tr(L, 'errField', {
      field: `${muscle?.name[L] ?? site.muscle} (${sideText(L, site.side)}) · ${tr(L, 'needlesPerSide')}`,
      message: issueWords(L, issue),
    });
  }
  if (issue.field === 'sites') return tr(L, 'errNoSites');
  if (issue.field === 'patientId')
    return tr(L, issue.message === 'was erased' ? 'errPatientErased' : 'errPatientName');
  if (issue.field === 'patient.contact') return tr(L, 'errNoContact');
  if (issue.field === 'patient.displayName')
    return tr(L, 'errField', { field: tr(L, 'displayName'), message: issueWords(L, issue) });
  return tr(L, 'errField', { field: issue.field, message: issueWords(L, issue) });
}

interface Handover {
  readonly sessionId: string;
  readonly patient: Patient;
  readonly link: IssuedLink;
  readonly plan: CheckInPlan;
  readonly bilateral: boolean;
  readonly thoracic: boolean;
  /** A new link for a session recorded earlier (lost handout), not a session just saved. */
  readonly reissued?: boolean;
}

/** The link, its QR code, the handout and e-mail: shown once, in the answer to the POST. */
async function sendResult(
  reply: FastifyReply,
  page: PageContext,
  clinic: Clinic,
  h: Handover,
  replayed = false,
): Promise<FastifyReply> {
  const url = h.link.url;
  const qrSvg = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return sendPage(
    reply,
    200,
    resultPage(page, {
      patient: h.patient,
      url,
      handoutUrl: `${url}/handout`,
      qrSvg,
      expiresAt: h.link.expiresAt,
      plan: h.plan,
      bilateral: h.bilateral,
      thoracic: h.thoracic,
      timeZone: clinic.timeZone,
      clinicName: clinic.name,
      sessionId: h.sessionId,
      replayed,
      reissued: h.reissued === true,
    }),
  );
}

/** Record a session: the form, and its POST through the same `recordSession` as the API. */
export async function dashboardSessionRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const { db, clock } = deps;

  async function search(request: FastifyRequest, q: string): Promise<Patient[]> {
    if (q === '') return [];
    return searchPatients(deps, requestActor(request), {
      q,
      limit: SEARCH_LIMIT,
      via: 'dashboard',
    });
  }

  function emptyForm(clinic: Clinic, found: Patient[], q: string, choice: string): RecordFormState {
    return {
      q,
      found,
      patientChoice: choice,
      newPatient: { displayName: '', email: '', phone: '', language: clinic.defaultLanguage },
      sites: new Set(),
      needles: {},
      performedAt: toLocalInput(clock.now(), clinic.timeZone),
      notes: '',
      recordKey: randomUUID(),
    };
  }

  app.get<{ Querystring: { q?: string; patientId?: string } }>(
    '/sessions/new',
    { config: staffRoute },
    async (request, reply) => {
      const { clinic, page } = staffOf(request);
      const q = (request.query.q ?? '').trim().slice(0, 100);
      const found = await search(request, q);
      let choice = 'new';
      const wanted = request.query.patientId;
      if (wanted !== undefined && UUID_RE.test(wanted)) {
        const patient = await getPatient(deps, requestActor(request), { patientId: wanted }).catch(
          (error: unknown) => {
            if (error instanceof AppError && error.code === 'not_found') return undefined;
            throw error;
          },
        );
        if (patient !== undefined) {
          if (!found.some((p) => p.id === patient.id)) found.unshift(patient);
          choice = patient.id;
        }
      } else if (found.length === 1 && found[0] !== undefined) {
        choice = found[0].id;
      }
      return sendPage(
        reply,
        200,
        recordPage(page, {
          form: emptyForm(clinic, found, q, choice),
          errors: [],
          bilateral: false,
          timeZone: clinic.timeZone,
        }),
      );
    },
  );

  app.post('/sessions', { config: staffRoute }, async (request, reply) => {
    const { staff, clinic, page } = staffOf(request);
    const L = page.locale;
    const body = request.body;
    const { sites, ticked, needles } = parseSites(body);
    // "Use this patient" on the duplicate warning overrides the chooser.
    const useExisting = field(body, 'useExisting');
    const choice = UUID_RE.test(useExisting) ? useExisting : field(body, 'patientId') || 'new';
    const newPatient = {
      displayName: field(body, 'displayName').trim(),
      email: field(body, 'email').trim(),
      phone: field(body, 'phone').trim(),
      language: field(body, 'language'),
      noContact: field(body, 'noContact') !== '',
    };
    const performedLocal = field(body, 'performedAt');
    const submittedKey = field(body, 'recordKey');
    const recordKey = /^[\w-]{8,64}$/.test(submittedKey) ? submittedKey : randomUUID();
    const notes = field(body, 'notes').trim();
    const errors: string[] = [];

    const input: { -readonly [K in keyof RecordSessionBody]: RecordSessionBody[K] } = {
      performedAt: '',
      sites,
    };
    if (notes !== '') input.notes = notes.slice(0, 2000);
    if (choice === 'new') {
      const patient = {
        displayName: newPatient.displayName,
        ...(newPatient.email === '' ? {} : { email: newPatient.email }),
        ...(newPatient.phone === '' ? {} : { phone: newPatient.phone }),
        ...(newPatient.language === '' ? {} : { language: newPatient.language }),
        ...(newPatient.noContact ? { noContact: true } : {}),
      };
      // The API's own schema for a quick-added patient.
      const validate = request.compileValidationSchema(newPatientSchema);
      if (newPatient.displayName === '') errors.push(tr(L, 'errPatientName'));
      else if (!validate(patient)) {
        for (const issue of fieldIssuesFromAjv(
          (validate.errors ?? []) as Parameters<typeof fieldIssuesFromAjv>[0],
          'body',
        )) {
          const label =
            issue.field === 'email'
              ? tr(L, 'email')
              : issue.field === 'phone'
                ? tr(L, 'phone')
                : issue.field;
          errors.push(tr(L, 'errField', { field: label, message: issueWords(L, issue) }));
        }
      }
      // Checked against the schema just above; the service stores nothing when it fails.
      input.patient = patient as NewPatientBody;
    } else {
      input.patientId = choice;
    }
    const performed = fromLocalInput(performedLocal, clinic.timeZone);
    if (performed === undefined) errors.push(tr(L, 'errPerformedAt'));
    else input.performedAt = performed.toISOString();
    if (sites.length === 0) errors.push(tr(L, 'errNoSites'));

    const again = async (
      list: string[],
      status = 400,
      key = recordKey,
      duplicates: readonly Patient[] = [],
    ) => {
      const chosen =
        choice !== 'new' && UUID_RE.test(choice)
          ? await findPatient(db, staff.clinicId, choice)
          : undefined;
      // An erased record is offered no more: the form comes back on "new patient".
      const found = chosen?.erasedAt === null ? chosen : undefined;
      const form: RecordFormState = {
        q: '',
        found: found === undefined ? [] : [found],
        patientChoice: found === undefined ? 'new' : choice,
        newPatient,
        sites: ticked,
        needles,
        performedAt: performedLocal,
        notes,
        recordKey: key,
      };
      return sendPage(
        reply,
        status,
        recordPage(page, {
          form,
          errors: list,
          bilateral: isBilateralThoracic(sites),
          timeZone: clinic.timeZone,
          duplicates,
        }),
      );
    };
    if (errors.length > 0) return again(errors);

    let once: Awaited<ReturnType<typeof recordSessionOnce>>;
    try {
      // Same name and the same phone or e-mail as a patient already there: ask before adding
      // a second record of the same person (issue 11), unless the form said "different".
      once = await recordSessionOnce(deps, requestActor(request), {
        body: input,
        formKey: recordKey,
        checkDuplicates: field(body, 'confirmNew') !== '1',
      });
    } catch (error) {
      // A refusal comes back as the form, in the page's words: a field's problem, the chosen
      // patient erased meanwhile (409), or what the form names gone (never the service's English).
      if (
        error instanceof AppError &&
        (error.code === 'validation_failed' ||
          error.code === 'not_found' ||
          (error.code === 'conflict' && error.errors.length > 0))
      ) {
        const list =
          error.errors.length > 0
            ? error.errors.map((i) => issueText(L, i, sites))
            : [tr(L, 'errRecordGone')];
        return again([...new Set(list)], error.code === 'conflict' ? 409 : 400);
      }
      throw error;
    }
    // Sent again (a refresh of the result page, a double tap, the back button): with the same
    // data, the same session and link again, or a page offering a new link; never a new link
    // by itself. The same form with other data is refused, naming the session it saved.
    if (once.kind === 'key_reused') {
      const { session, patient } = once.earlier;
      return again(
        [
          tr(L, 'errKeyReused', {
            patient: patient.displayName,
            when: formatInstant(session.performedAt, clinic.timeZone, L),
          }),
        ],
        409,
        randomUUID(),
      );
    }
    if (once.kind === 'already_recorded') {
      const { session, patient, plan } = once.earlier;
      if (once.link === undefined)
        return sendPage(
          reply,
          200,
          alreadyRecordedPage(page, {
            sessionId: session.id,
            patient,
            performedAt: session.performedAt,
            timeZone: clinic.timeZone,
          }),
        );
      return sendResult(
        reply,
        page,
        clinic,
        {
          sessionId: session.id,
          patient,
          link: once.link,
          plan,
          bilateral: session.bilateralThoracic,
          thoracic: session.thoracic,
        },
        true,
      );
    }
    if (once.kind === 'possible_duplicates') return again([], 409, recordKey, once.patients);
    const { recorded } = once;
    return sendResult(reply, page, clinic, {
      sessionId: recorded.session.id,
      patient: recorded.patient,
      link: recorded.link,
      plan: recorded.plan,
      bilateral: recorded.warnings.some((w) => w.code === 'bilateral_thoracic'),
      thoracic: recorded.session.thoracic,
    });
  });

  // `/app/sessions` answers the form's POST; a GET of it (a language switch, a bookmark)
  // goes to the form rather than a 404.
  app.get<{ Querystring: { lang?: string } }>(
    '/sessions',
    { config: staffRoute },
    async (request, reply) =>
      reply.redirect(
        request.query.lang === undefined
          ? '/app/sessions/new'
          : `/app/sessions/new?lang=${encodeURIComponent(request.query.lang)}`,
        303,
      ),
  );

  // The result page again, in another language, for the link the clinic already holds: the
  // language switch posts the token back (it is on the page already); nothing is re-issued.
  app.post<{ Params: { id: string } }>(
    '/sessions/:id/handover',
    { config: staffRoute },
    async (request, reply) => {
      const { clinic, page } = staffOf(request);
      if (!UUID_RE.test(request.params.id))
        return sendPage(reply, 404, messagePage(page, 'notFoundTitle', 'notFoundText'));
      let h: Awaited<ReturnType<typeof readHandover>>;
      try {
        h = await readHandover(deps, requestActor(request), {
          sessionId: request.params.id,
          token: field(request.body, 'token'),
        });
      } catch (error) {
        if (error instanceof AppError && error.code === 'not_found')
          return sendPage(reply, 404, messagePage(page, 'notFoundTitle', 'notFoundText'));
        throw error;
      }
      return sendResult(reply, page, clinic, {
        sessionId: h.session.id,
        patient: h.patient,
        link: h.link,
        plan: h.plan,
        bilateral: h.session.bilateralThoracic,
        thoracic: h.session.thoracic,
        reissued: field(request.body, 'reissued') === '1',
      });
    },
  );

  // A new link for an existing session (lost handout): the same service as the API's, which
  // revokes the session's earlier links.
  app.post<{ Params: { id: string } }>(
    '/sessions/:id/link',
    { config: staffRoute },
    async (request, reply) => reissue(request, reply, request.params.id),
  );

  async function reissue(
    request: FastifyRequest,
    reply: FastifyReply,
    sessionId: string,
  ): Promise<FastifyReply> {
    const { clinic, page } = staffOf(request);
    const notFound = () => sendPage(reply, 404, messagePage(page, 'notFoundTitle', 'notFoundText'));
    if (!UUID_RE.test(sessionId)) return notFound();
    let issued: Awaited<ReturnType<typeof reissuePatientLink>>;
    try {
      issued = await reissuePatientLink(deps, requestActor(request), {
        sessionId,
        via: 'dashboard',
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') return notFound();
      throw error;
    }
    const { session, patient, link, plan } = issued;
    return sendResult(reply, page, clinic, {
      sessionId: session.id,
      patient,
      link,
      plan,
      bilateral: session.bilateralThoracic,
      thoracic: session.thoracic,
      reissued: true,
    });
  }
}
