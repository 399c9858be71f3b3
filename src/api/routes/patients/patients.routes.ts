import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import {
  editPatient,
  erasePatient,
  exportPatient,
  findPossibleDuplicates,
  listPatients,
  readPatientContacts,
  revokeOnePatientLink,
} from '../../../services/patient-records.ts';
import { createPatient, getPatient, readPatientTimeline } from '../../../services/patients.ts';
import { idParams } from '../../../services/schemas/common.ts';
import {
  duplicateQuerySchema,
  eraseSchema,
  erasureSchema,
  linkParams,
  newPatientSchema,
  patientContactsSchema,
  patientEditSchema,
  patientListQuerySchema,
  patientSchema,
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
import { requestActor } from '../../audit.ts';
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

  // Ajv fills the defaults of q and limit.
  app.get<{ Querystring: FromSchema<typeof patientListQuerySchema> }>(
    '',
    {
      config: staff,
      schema: {
        tags: ['patients'],
        summary:
          'List patients newest first, a page at a time; q matches name, e-mail or phone, accents and case aside',
        querystring: patientListQuerySchema,
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: patientSchema },
              nextCursor: { type: ['string', 'null'] },
            },
          },
          ...problemResponses(...AUTHED_PROBLEMS),
        },
      },
    },
    async (request) =>
      listPatients(deps, requestActor(request), {
        q: request.query.q ?? '',
        limit: Number(request.query.limit ?? '20'),
        ...(request.query.cursor === undefined ? {} : { cursor: request.query.cursor }),
      }),
  );

  app.get<{ Querystring: FromSchema<typeof duplicateQuerySchema> }>(
    '/duplicates',
    {
      config: staff,
      schema: {
        tags: ['patients'],
        summary:
          'Patients with the same name and the same phone or e-mail (a warning before adding)',
        querystring: duplicateQuerySchema,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: patientSchema } } },
          ...problemResponses(...AUTHED_PROBLEMS),
        },
      },
    },
    async (request) => ({
      items: await findPossibleDuplicates(deps, requestActor(request), request.query),
    }),
  );

  app.patch<{ Params: IdParams; Body: FromSchema<typeof patientEditSchema> }>(
    '/:id',
    {
      config: staff,
      schema: {
        tags: ['patients'],
        summary: "Correct a patient's name, contact routes and language",
        params: idParams,
        body: patientEditSchema,
        response: { 200: patientSchema, ...problemResponses(...AUTHED_PROBLEMS, 'conflict') },
      },
    },
    async (request) =>
      editPatient(deps, requestActor(request), { ...request.body, patientId: request.params.id }),
  );

  app.get<{ Params: IdParams }>(
    '/:id/contacts',
    {
      config: staff,
      schema: {
        tags: ['patients'],
        summary: "Each link's state and the messages sent to the patient (no tokens, no addresses)",
        params: idParams,
        response: { 200: patientContactsSchema, ...problemResponses(...AUTHED_PROBLEMS) },
      },
    },
    async (request) =>
      readPatientContacts(deps, requestActor(request), { patientId: request.params.id }),
  );

  app.post<{ Params: FromSchema<typeof linkParams> }>(
    '/:id/links/:linkId/revoke',
    {
      config: staff,
      schema: {
        tags: ['patients'],
        summary: "Revoke one of the patient's links",
        params: linkParams,
        response: { 204: { type: 'null' }, ...problemResponses(...AUTHED_PROBLEMS, 'conflict') },
      },
    },
    async (request, reply) => {
      await revokeOnePatientLink(deps, requestActor(request), {
        patientId: request.params.id,
        linkId: request.params.linkId,
      });
      return reply.status(204).send();
    },
  );

  app.get<{ Params: IdParams }>(
    '/:id/export',
    {
      config: staff,
      schema: {
        tags: ['patients'],
        summary: "The patient's whole record as one JSON document",
        params: idParams,
        response: { ...problemResponses(...AUTHED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const record = await exportPatient(deps, requestActor(request), {
        patientId: request.params.id,
      });
      return reply
        .header('content-disposition', `attachment; filename="patient-${record.patient.id}.json"`)
        .header('cache-control', 'no-store')
        .type('application/json')
        .send(JSON.stringify(record, null, 2));
    },
  );

  app.post<{ Params: IdParams; Body: FromSchema<typeof eraseSchema> }>(
    '/:id/erase',
    {
      config: staff,
      schema: {
        tags: ['patients'],
        summary:
          "Erase a patient's personal data (admins; confirmName must repeat the patient's name)",
        params: idParams,
        body: eraseSchema,
        response: {
          200: erasureSchema,
          ...problemResponses(...AUTHED_PROBLEMS, 'forbidden', 'conflict'),
        },
      },
    },
    async (request) =>
      erasePatient(deps, requestActor(request), {
        patientId: request.params.id,
        confirmName: request.body.confirmName,
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
