import type { FastifyInstance } from 'fastify';
import {
  acknowledgeAlert,
  alertListSchema,
  listClinicAlerts,
  resolveAlert,
  resolveAlertSchema,
} from '../../../services/alerts.ts';
import { requestActor } from '../../audit.ts';
import {
  AUTHED_PROBLEMS,
  idParams,
  problemResponses,
  type SchemaInputTypes,
} from '../../schemas.ts';
import { alertView, alertViewSchema } from '../../../services/schemas/views.ts';

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
          200: { type: 'object', properties: { items: { type: 'array', items: alertViewSchema } } },
          ...problemResponses(...AUTHED_PROBLEMS),
        },
      },
    },
    async (request) => ({
      items: (await listClinicAlerts(deps, requestActor(request), request.query)).map(alertView),
    }),
  );

  typed.post(
    '/:id/acknowledge',
    {
      config: staff,
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge an open alert (409 if it is not open)',
        params: idParams,
        response: { 200: alertViewSchema, ...problemResponses(...AUTHED_PROBLEMS, 'conflict') },
      },
    },
    async (request) =>
      alertView(
        await acknowledgeAlert(deps, requestActor(request), { alertId: request.params.id }),
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
        response: { 200: alertViewSchema, ...problemResponses(...AUTHED_PROBLEMS, 'conflict') },
      },
    },
    async (request) =>
      alertView(
        await resolveAlert(deps, requestActor(request), {
          alertId: request.params.id,
          note: request.body.note,
        }),
      ),
  );
}
