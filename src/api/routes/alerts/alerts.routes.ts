import type { FastifyInstance } from 'fastify';
import {
  acknowledgeAlert,
  acknowledgeAlertSchema,
  alertListSchema,
  contactAttemptSchema,
  listClinicAlerts,
  recordContactAttempt,
  resolveAlert,
  resolveAlertSchema,
} from '../../../services/alerts.ts';
import { alertDetailView, alertDetailViewSchema } from '../../../services/schemas/views.ts';
import { requestActor } from '../../audit.ts';
import {
  AUTHED_PROBLEMS,
  idParams,
  problemResponses,
  type SchemaInputTypes,
} from '../../schemas.ts';

/** The clinic's alerts: open first, most severe first, longest waiting first. */
export async function alertRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const typed = app.withTypeProvider<SchemaInputTypes>();
  const staff = { access: 'staff' } as const;

  typed.get(
    '',
    {
      config: staff,
      schema: {
        tags: ['alerts'],
        summary: 'Alerts of the clinic, open first, then by severity and age',
        querystring: alertListSchema,
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: alertDetailViewSchema } },
          },
          ...problemResponses(...AUTHED_PROBLEMS),
        },
      },
    },
    async (request) => ({
      items: (await listClinicAlerts(deps, requestActor(request), request.query)).map(
        alertDetailView,
      ),
    }),
  );

  typed.post(
    '/:id/acknowledge',
    {
      config: staff,
      // No body at all is an acknowledgement without a note.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge an open alert, optionally with a note (409 if it is not open)',
        description:
          'The body may be empty; `{"note": "called, no answer"}` records a contact attempt.',
        params: idParams,
        body: acknowledgeAlertSchema,
        response: {
          200: alertDetailViewSchema,
          ...problemResponses(...AUTHED_PROBLEMS, 'conflict'),
        },
      },
    },
    async (request) =>
      alertDetailView(
        await acknowledgeAlert(deps, requestActor(request), {
          alertId: request.params.id,
          ...(request.body?.note === undefined ? {} : { note: request.body.note }),
        }),
      ),
  );

  typed.post(
    '/:id/resolve',
    {
      config: staff,
      schema: {
        tags: ['alerts'],
        summary: 'Resolve an open or acknowledged alert with a note (409 if already resolved)',
        params: idParams,
        body: resolveAlertSchema,
        response: {
          200: alertDetailViewSchema,
          ...problemResponses(...AUTHED_PROBLEMS, 'conflict'),
        },
      },
    },
    async (request) =>
      alertDetailView(
        await resolveAlert(deps, requestActor(request), {
          alertId: request.params.id,
          note: request.body.note,
          outcome: request.body.outcome,
          outcomeClass: request.body.outcomeClass,
        }),
      ),
  );

  typed.post(
    '/:id/contact-attempts',
    {
      config: staff,
      schema: {
        tags: ['alerts'],
        summary: 'Record another attempt to reach the patient on the same alert (409 if resolved)',
        params: idParams,
        body: contactAttemptSchema,
        response: {
          201: alertDetailViewSchema,
          ...problemResponses(...AUTHED_PROBLEMS, 'conflict'),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        alertDetailView(
          await recordContactAttempt(deps, requestActor(request), {
            alertId: request.params.id,
            note: request.body.note,
          }),
        ),
      ),
  );
}
