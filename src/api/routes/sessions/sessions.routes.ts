import type { FastifyInstance } from 'fastify';
import { LIMITS, siteJsonSchema } from '../../../clinical/case-schema.ts';
import { planCheckIns } from '../../../clinical/checkin-plan.ts';
import { listCheckInsForSession } from '../../../store/checkins.repository.ts';
import { findClinic } from '../../../store/clinics.repository.ts';
import { withTransaction } from '../../../store/db.ts';
import { listLinksForSession } from '../../../store/links.repository.ts';
import { findPatient } from '../../../store/patients.repository.ts';
import { findNeedlingSession } from '../../../store/sessions.repository.ts';
import { listAlertsForPatient } from '../../../store/alerts.repository.ts';
import { actorOf } from '../../audit.ts';
import { recordAudit } from '../../../services/audit.ts';
import { principalOf } from '../../auth/auth.plugin.ts';
import { AppError } from '../../../services/errors.ts';
import { issueLink, linkState, revokeActiveLinks } from '../../../services/links.ts';
import {
  AUTHED_PROBLEMS,
  idParams,
  instantSchema,
  problemResponses,
  uuidSchema,
} from '../../schemas.ts';
import {
  alertView,
  alertViewSchema,
  checkInView,
  checkInViewSchema,
  coreSites,
  planSchema,
  sessionView,
  sessionViewSchema,
} from '../../views.ts';
import { newPatientSchema, patientSchema } from '../patients/patients.routes.ts';
import { type RecordSessionBody, recordSession } from './record-session.ts';

const linkSchema = {
  type: 'object',
  properties: {
    id: uuidSchema,
    url: { type: 'string', description: "The patient's page; shown once, stored only hashed" },
    expiresAt: instantSchema,
  },
} as const;

const recordBody = {
  type: 'object',
  additionalProperties: false,
  required: ['performedAt', 'sites'],
  properties: {
    patientId: { ...uuidSchema, description: 'An existing patient; or send `patient` to add one' },
    patient: newPatientSchema,
    performedAt: { type: 'string', format: 'date-time' },
    sites: { type: 'array', minItems: 1, maxItems: LIMITS.maxSites, items: siteJsonSchema },
    notes: { type: 'string', maxLength: 2000 },
  },
} as const;

const recordedSchema = {
  type: 'object',
  properties: {
    session: sessionViewSchema,
    patient: patientSchema,
    plan: planSchema,
    warnings: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          code: { type: 'string', enum: ['bilateral_thoracic'] },
          message: { type: 'string' },
        },
      },
    },
    link: linkSchema,
  },
} as const;

/** Needling sessions: record, read, and manage the patient link. */
export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const { db, clock } = deps;
  const staff = { access: 'staff' } as const;

  app.post<{ Body: RecordSessionBody }>(
    '',
    {
      config: staff,
      schema: {
        tags: ['sessions'],
        summary:
          'Record a needling session; returns the check-in plan, warnings and the patient link',
        body: recordBody,
        response: { 201: recordedSchema, ...problemResponses(...AUTHED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const recorded = await recordSession(deps, request, request.body);
      return reply.status(201).send({ ...recorded, session: sessionView(recorded.session) });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/:id',
    {
      config: staff,
      schema: {
        tags: ['sessions'],
        summary: 'A session with its plan, check-ins, assessments, alerts and link states',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              session: sessionViewSchema,
              plan: planSchema,
              checkIns: { type: 'array', items: checkInViewSchema },
              alerts: { type: 'array', items: alertViewSchema },
              links: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: uuidSchema,
                    state: { type: 'string', enum: ['active', 'expired', 'revoked'] },
                    createdAt: instantSchema,
                    expiresAt: instantSchema,
                  },
                },
              },
            },
          },
          ...problemResponses(...AUTHED_PROBLEMS),
        },
      },
    },
    async (request) => {
      const { clinicId } = principalOf(request);
      const session = await findNeedlingSession(db, clinicId, request.params.id);
      if (session === undefined) throw new AppError('not_found', 'No such session.');
      const clinic = await findClinic(db, clinicId);
      const now = clock.now();
      const [checkIns, alerts, links] = [
        await listCheckInsForSession(db, session.id),
        await listAlertsForPatient(db, clinicId, session.patientId),
        await listLinksForSession(db, clinicId, session.id),
      ];
      await recordAudit(db, clock, actorOf(request), {
        action: 'session.read',
        subjectType: 'needling_session',
        subjectId: session.id,
        patientId: session.patientId,
      });
      return {
        session: sessionView(session),
        plan: planCheckIns(
          { performedAt: session.performedAt, sites: coreSites(session.sites) },
          clinic === undefined
            ? {}
            : { planHours: clinic.checkInPlanHours, thoracicPlanHours: clinic.thoracicPlanHours },
        ),
        checkIns: checkIns.map(checkInView),
        alerts: alerts.filter((a) => a.sessionId === session.id).map(alertView),
        links: links.map((l) => ({
          id: l.id,
          state: linkState(l, now),
          createdAt: l.createdAt,
          expiresAt: l.expiresAt,
        })),
      };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/:id/link',
    {
      config: staff,
      schema: {
        tags: ['sessions'],
        summary: 'Issue a new patient link (earlier links of the session stop working)',
        params: idParams,
        response: {
          201: { type: 'object', properties: { link: linkSchema } },
          ...problemResponses(...AUTHED_PROBLEMS, 'conflict'),
        },
      },
    },
    async (request, reply) => {
      const { clinicId } = principalOf(request);
      const issued = await withTransaction(db, async (trx) => {
        const session = await findNeedlingSession(trx, clinicId, request.params.id);
        const clinic = await findClinic(trx, clinicId);
        const patient = session && (await findPatient(trx, clinicId, session.patientId));
        if (session === undefined || clinic === undefined || patient === undefined)
          throw new AppError('not_found', 'No such session.');
        const result = await issueLink(trx, deps, { clinic, session, patient }, 'reissued');
        await recordAudit(trx, clock, actorOf(request), {
          action: 'patient_link.issue',
          subjectType: 'patient_link',
          subjectId: result.link.id,
          patientId: session.patientId,
          details: { sessionId: session.id },
        });
        return result.issued;
      });
      return reply.status(201).send({ link: issued });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/:id/link/revoke',
    {
      config: staff,
      schema: {
        tags: ['sessions'],
        summary: "Revoke the session's patient link(s)",
        params: idParams,
        response: {
          200: { type: 'object', properties: { revoked: { type: 'integer' } } },
          ...problemResponses(...AUTHED_PROBLEMS),
        },
      },
    },
    async (request) => {
      const { clinicId } = principalOf(request);
      return withTransaction(db, async (trx) => {
        const session = await findNeedlingSession(trx, clinicId, request.params.id);
        if (session === undefined) throw new AppError('not_found', 'No such session.');
        const now = clock.now();
        const revoked = await revokeActiveLinks(trx, clinicId, session.id, now);
        await deps.events.linksRevoked?.(trx, { session, at: now });
        await recordAudit(trx, clock, actorOf(request), {
          action: 'patient_link.revoke',
          subjectType: 'needling_session',
          subjectId: session.id,
          patientId: session.patientId,
          details: { revoked },
        });
        return { revoked };
      });
    },
  );
}
