import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { requestActor } from '../../audit.ts';
import {
  createPatient,
  getPatient,
  readPatientTimeline,
  searchPatients,
} from '../../../services/patients.ts';
import { idParams } from '../../../services/schemas/common.ts';
import {
  newPatientSchema,
  patientSchema,
  patientSearchQuerySchema,
} from '../../../services/schemas/patients.ts';
import {
  alertView,
  alertViewSchema,
  checkInView,
  checkInViewSchema,
  planSchema,
  sessionView,
  sessionViewSchema,
} from '../../../services/schemas/views.ts';
import { AUTHED_PROBLEMS, problemResponses } from '../../schemas.ts';

type IdParams = FromSchema<typeof idParams>;

/** Patients of the caller's clinic: create, search, read, timeline. */
export async function patientRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const staff = { access: 'staff' } as const;

  app.post<{ Body: FromSchema<typeof newPatientSchema> }>(
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
    async (request, reply) =>
      reply.status(201).send(await createPatient(deps, requestActor(request), request.body)),
  );

  // Ajv fills the defaults, so both fields are present.
  app.get<{ Querystring: Required<FromSchema<typeof patientSearchQuerySchema>> }>(
    '',
    {
      config: staff,
      schema: {
        tags: ['patients'],
        summary: 'Search patients by name, e-mail or phone',
        querystring: patientSearchQuerySchema,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: patientSchema } } },
          ...problemResponses(...AUTHED_PROBLEMS),
        },
      },
    },
    async (request) => ({
      items: await searchPatients(deps, requestActor(request), {
        q: request.query.q,
        limit: Number(request.query.limit),
      }),
    }),
  );

  app.get<{ Params: IdParams }>(
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
    async (request) => getPatient(deps, requestActor(request), { patientId: request.params.id }),
  );

  app.get<{ Params: IdParams }>(
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
      const timeline = await readPatientTimeline(deps, requestActor(request), {
        patientId: request.params.id,
      });
      return {
        patient: timeline.patient,
        sessions: timeline.sessions.map((entry) => ({
          session: sessionView(entry.session),
          plan: entry.plan,
          checkIns: entry.checkIns.map(checkInView),
          alerts: entry.alerts.map(alertView),
        })),
      };
    },
  );
}
