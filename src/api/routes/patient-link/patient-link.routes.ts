import type { FastifyInstance } from 'fastify';
import { reportInputJsonSchema, validateReportInput } from '../../../clinical/case-schema.ts';
import { planCheckIns } from '../../../clinical/checkin-plan.ts';
import { findOpenAlertForSession } from '../../../store/alerts.repository.ts';
import { listCheckInsForSession } from '../../../store/checkins.repository.ts';
import { findClinic } from '../../../store/clinics.repository.ts';
import { findNeedlingSession } from '../../../store/sessions.repository.ts';
import { linkActor } from '../../audit.ts';
import { recordAudit } from '../../../services/audit.ts';
import { AppError } from '../../../services/errors.ts';
import { instantSchema, problemResponses } from '../../schemas.ts';
import {
  alertViewSchema,
  assessmentViewSchema,
  checkInViewSchema,
  coreSites,
  planSchema,
  siteView,
  siteViewSchema,
  storedAssessmentView,
} from '../../views.ts';
import { resolveLink } from './resolve-link.ts';
import { submitCheckIn } from './submit-check-in.ts';

const tokenParams = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: { token: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

const idempotencyHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'Retrying with the same key returns the first answer and stores nothing new',
    },
  },
} as const;

const LINK_PROBLEMS = ['not_found', 'link_gone'] as const;

const checkInResultSchema = {
  type: 'object',
  properties: {
    checkIn: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        receivedAt: instantSchema,
        hoursAfter: { type: 'number' },
        soreness: { type: 'integer' },
        symptoms: { type: 'array', items: { type: 'string' } },
        source: { type: 'string' },
      },
    },
    assessment: assessmentViewSchema,
    openAlert: { anyOf: [alertViewSchema, { type: 'null' }] },
    clinic: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        emergencyNumber: { type: 'string' },
        contactPhone: { type: 'string' },
      },
    },
  },
} as const;

const patientViewSchema = {
  type: 'object',
  properties: {
    session: {
      type: 'object',
      properties: {
        performedAt: instantSchema,
        thoracic: { type: 'boolean' },
        sites: { type: 'array', items: siteViewSchema },
      },
    },
    clinic: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        emergencyNumber: { type: 'string' },
        contactPhone: { type: 'string' },
        timeZone: { type: 'string' },
        defaultLanguage: { type: 'string' },
        languages: { type: 'array', items: { type: 'string' } },
      },
    },
    plan: planSchema,
    checkIns: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          receivedAt: instantSchema,
          hoursAfter: { type: 'number' },
          soreness: { type: 'integer' },
          symptoms: checkInViewSchema.properties.symptoms,
          source: checkInViewSchema.properties.source,
          assessment: checkInViewSchema.properties.assessment,
        },
      },
    },
    openAlert: {
      anyOf: [
        {
          type: 'object',
          properties: {
            severity: alertViewSchema.properties.severity,
            status: alertViewSchema.properties.status,
          },
        },
        { type: 'null' },
      ],
    },
    link: { type: 'object', properties: { expiresAt: instantSchema } },
  },
} as const;

/**
 * The patient's side, reached with the link token only (no staff auth): one session's view,
 * check-ins, and the emergency button. A token opens its own session and nothing else.
 */
export async function patientLinkRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const { db, clock } = deps;
  const link = { access: 'link' } as const;

  app.get<{ Params: { token: string } }>(
    '/:token',
    {
      config: link,
      schema: {
        tags: ['patient link'],
        summary: 'What was done, the check-in plan, check-ins and their assessments',
        params: tokenParams,
        response: { 200: patientViewSchema, ...problemResponses(...LINK_PROBLEMS) },
      },
    },
    async (request) => {
      const active = await resolveLink(deps, request, request.params.token);
      const session = await findNeedlingSession(db, active.clinicId, active.sessionId);
      const clinic = await findClinic(db, active.clinicId);
      if (session === undefined || clinic === undefined)
        throw new AppError('not_found', 'This link is not valid.');
      const checkIns = await listCheckInsForSession(db, session.id);
      const open = await findOpenAlertForSession(db, session.id);
      await recordAudit(db, clock, linkActor(request, active), {
        action: 'patient_link.read',
        subjectType: 'needling_session',
        subjectId: session.id,
        patientId: session.patientId,
      });
      return {
        session: {
          performedAt: session.performedAt,
          thoracic: session.thoracic,
          sites: session.sites.map(siteView),
        },
        clinic,
        plan: planCheckIns(
          { performedAt: session.performedAt, sites: coreSites(session.sites) },
          { planHours: clinic.checkInPlanHours, thoracicPlanHours: clinic.thoracicPlanHours },
        ),
        checkIns: checkIns.map((c) => ({
          receivedAt: c.receivedAt,
          hoursAfter: c.hoursAfter,
          soreness: c.soreness,
          symptoms: c.symptoms,
          source: c.source,
          assessment: c.assessment === null ? null : storedAssessmentView(c.assessment),
        })),
        openAlert: open === undefined ? null : { severity: open.severity, status: open.status },
        link: { expiresAt: active.expiresAt },
      };
    },
  );

  app.post<{ Params: { token: string }; Body: unknown; Headers: { 'idempotency-key'?: string } }>(
    '/:token/check-ins',
    {
      config: link,
      schema: {
        tags: ['patient link'],
        summary: 'Check in: soreness 0-10 and symptoms; answered at once with the triage',
        params: tokenParams,
        headers: idempotencyHeaders,
        body: reportInputJsonSchema,
        response: {
          201: checkInResultSchema,
          ...problemResponses(...LINK_PROBLEMS, 'idempotency_key_reused'),
        },
      },
    },
    async (request, reply) => {
      const input = validateReportInput(request.body);
      if (!input.ok) {
        const errors = input.error.map((i) => ({ field: i.path, message: i.message }));
        throw new AppError(
          'validation_failed',
          `Invalid ${errors.map((e) => e.field).join(', ')}`,
          { errors },
        );
      }
      const active = await resolveLink(deps, request, request.params.token);
      const result = await submitCheckIn(deps, {
        link: active,
        input: input.value,
        source: 'patient',
        idempotencyKey: request.headers['idempotency-key'],
        actor: linkActor(request, active),
      });
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(result.status).send(result.body);
    },
  );

  app.post<{ Params: { token: string }; Headers: { 'idempotency-key'?: string } }>(
    '/:token/emergency',
    {
      config: link,
      schema: {
        tags: ['patient link'],
        summary:
          '"I have chest pain or can\'t breathe": recorded as a chest-pain check-in, answered with the emergency number',
        params: tokenParams,
        headers: idempotencyHeaders,
        response: {
          201: checkInResultSchema,
          ...problemResponses(...LINK_PROBLEMS, 'idempotency_key_reused'),
        },
      },
    },
    async (request, reply) => {
      // The button sends nothing; a body, if any, must be empty (no field is accepted).
      const body: unknown = request.body;
      if (
        body !== undefined &&
        body !== null &&
        !(typeof body === 'object' && Object.keys(body).length === 0)
      ) {
        throw new AppError('validation_failed', 'The emergency button takes no fields.', {
          errors: Object.keys(typeof body === 'object' ? body : { '(body)': 1 }).map((field) => ({
            field,
            message: 'unknown field',
          })),
        });
      }
      const active = await resolveLink(deps, request, request.params.token);
      // Soreness was not asked: carry the last reported one so the curve is not distorted.
      const last = (await listCheckInsForSession(db, active.sessionId)).at(-1);
      const result = await submitCheckIn(deps, {
        link: active,
        input: { soreness: last?.soreness ?? 0, symptoms: ['chest_pain'] },
        source: 'emergency_button',
        idempotencyKey: request.headers['idempotency-key'],
        actor: linkActor(request, active),
      });
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(result.status).send(result.body);
    },
  );
}
