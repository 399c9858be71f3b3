import type { FastifyInstance } from 'fastify';
import { planCheckIns } from '../../../clinical/checkin-plan.ts';
import { LOCALES, type Locale } from '../../../clinical/types.ts';
import { listCheckInsForSession } from '../../../store/checkins.repository.ts';
import { findClinic } from '../../../store/clinics.repository.ts';
import { withTransaction } from '../../../store/db.ts';
import { findPatient, insertPatient, searchPatients } from '../../../store/patients.repository.ts';
import { listSessionsForPatient } from '../../../store/sessions.repository.ts';
import { listAlertsForPatient } from '../../../store/alerts.repository.ts';
import { actorOf } from '../../audit.ts';
import { recordAudit } from '../../../services/audit.ts';
import { principalOf } from '../../auth/auth.plugin.ts';
import { AppError } from '../../../services/errors.ts';
import {
  AUTHED_PROBLEMS,
  idParams,
  instantSchema,
  problemResponses,
  uuidSchema,
} from '../../schemas.ts';
import {
  coreSites,
  alertView,
  alertViewSchema,
  checkInView,
  checkInViewSchema,
  planSchema,
  sessionView,
  sessionViewSchema,
} from '../../views.ts';

export const newPatientProperties = {
  displayName: { type: 'string', minLength: 1, maxLength: 200 },
  email: { type: 'string', format: 'email', maxLength: 254 },
  phone: { type: 'string', pattern: '^\\+?[0-9][0-9 ()-]{4,29}$' },
  language: { type: 'string', enum: [...LOCALES] },
} as const;

export const newPatientSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['displayName'],
  properties: newPatientProperties,
} as const;

export interface NewPatientBody {
  displayName: string;
  email?: string;
  phone?: string;
  language?: Locale;
}

export const patientSchema = {
  type: 'object',
  properties: {
    id: uuidSchema,
    displayName: { type: 'string' },
    email: { type: ['string', 'null'] },
    phone: { type: ['string', 'null'] },
    language: { type: 'string' },
    createdAt: instantSchema,
  },
} as const;

const searchQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 100, default: '' },
    limit: {
      type: 'string',
      pattern: '^([1-9]|[1-9][0-9]|100)$',
      default: '20',
      description: '1 to 100',
    },
  },
} as const;

/** Patients of the caller's clinic: create, search, read, timeline. */
export async function patientRoutes(app: FastifyInstance): Promise<void> {
  const { db, clock } = app.deps;
  const staff = { access: 'staff' } as const;

  app.post<{ Body: NewPatientBody }>(
    '',
    {
      config: staff,
      schema: {
        tags: ['patients'],
        summary: 'Add a patient',
        body: newPatientSchema,
        response: { 201: patientSchema, ...problemResponses(...AUTHED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const { clinicId } = principalOf(request);
      const patient = await withTransaction(db, async (trx) => {
        const clinic = await findClinic(trx, clinicId);
        const created = await insertPatient(trx, {
          clinicId,
          displayName: request.body.displayName,
          email: request.body.email ?? null,
          phone: request.body.phone ?? null,
          language: request.body.language ?? clinic?.defaultLanguage ?? 'en',
          createdAt: clock.now(),
        });
        await recordAudit(trx, clock, actorOf(request), {
          action: 'patient.create',
          subjectType: 'patient',
          subjectId: created.id,
          patientId: created.id,
        });
        return created;
      });
      return reply.status(201).send(patient);
    },
  );

  app.get<{ Querystring: { q: string; limit: string } }>(
    '',
    {
      config: staff,
      schema: {
        tags: ['patients'],
        summary: 'Search patients by name, e-mail or phone',
        querystring: searchQuery,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: patientSchema } } },
          ...problemResponses(...AUTHED_PROBLEMS),
        },
      },
    },
    async (request) => {
      const { clinicId } = principalOf(request);
      const items = await searchPatients(
        db,
        clinicId,
        request.query.q,
        Number(request.query.limit),
      );
      await recordAudit(db, clock, actorOf(request), {
        action: 'patient.search',
        subjectType: 'patient',
        subjectId: null,
        details: { resultCount: items.length, patientIds: items.map((p) => p.id) },
      });
      return { items };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/:id',
    {
      config: staff,
      schema: {
        tags: ['patients'],
        summary: 'One patient',
        params: idParams,
        response: { 200: patientSchema, ...problemResponses(...AUTHED_PROBLEMS) },
      },
    },
    async (request) => {
      const { clinicId } = principalOf(request);
      const patient = await findPatient(db, clinicId, request.params.id);
      if (patient === undefined) throw new AppError('not_found', 'No such patient.');
      await recordAudit(db, clock, actorOf(request), {
        action: 'patient.read',
        subjectType: 'patient',
        subjectId: patient.id,
        patientId: patient.id,
      });
      return patient;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/:id/timeline',
    {
      config: staff,
      schema: {
        tags: ['patients'],
        summary:
          "A patient's sessions (newest first) with their plans, check-ins, assessments and alerts",
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              patient: patientSchema,
              sessions: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    session: sessionViewSchema,
                    plan: planSchema,
                    checkIns: { type: 'array', items: checkInViewSchema },
                    alerts: { type: 'array', items: alertViewSchema },
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
      const patient = await findPatient(db, clinicId, request.params.id);
      if (patient === undefined) throw new AppError('not_found', 'No such patient.');
      const clinic = await findClinic(db, clinicId);
      const sessions = await listSessionsForPatient(db, clinicId, patient.id);
      const alerts = await listAlertsForPatient(db, clinicId, patient.id);
      const entries = await Promise.all(
        sessions.map(async (session) => ({
          session: sessionView(session),
          plan: planCheckIns(
            { performedAt: session.performedAt, sites: coreSites(session.sites) },
            {
              ...(clinic === undefined
                ? {}
                : {
                    planHours: clinic.checkInPlanHours,
                    thoracicPlanHours: clinic.thoracicPlanHours,
                  }),
            },
          ),
          checkIns: (await listCheckInsForSession(db, session.id)).map(checkInView),
          alerts: alerts.filter((a) => a.sessionId === session.id).map(alertView),
        })),
      );
      await recordAudit(db, clock, actorOf(request), {
        action: 'patient.timeline.read',
        subjectType: 'patient',
        subjectId: patient.id,
        patientId: patient.id,
      });
      return { patient, sessions: entries };
    },
  );
}
