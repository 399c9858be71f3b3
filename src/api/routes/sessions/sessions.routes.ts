import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { recordSession } from '../../../services/record-session.ts';
import { idParams, instantSchema, uuidSchema } from '../../../services/schemas/common.ts';
import {
  issuedLinkSchema,
  recordedSessionSchema,
  recordSessionBodySchema,
} from '../../../services/schemas/sessions.ts';
import {
  alertView,
  alertViewSchema,
  checkInView,
  checkInViewSchema,
  planSchema,
  sessionView,
  sessionViewSchema,
} from '../../../services/schemas/views.ts';
import { readSession, reissuePatientLink, revokePatientLinks } from '../../../services/sessions.ts';
import { requestActor } from '../../audit.ts';
import { AUTHED_PROBLEMS, problemResponses } from '../../schemas.ts';

type IdParams = FromSchema<typeof idParams>;

/** Needling sessions: record, read, and manage the patient link. */
export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const staff = { access: 'staff' } as const;

  app.post<{ Body: FromSchema<typeof recordSessionBodySchema> }>(
    '',
    {
      config: staff,
      schema: {
        tags: ['sessions'],
        summary:
          'Record a needling session; returns the check-in plan, warnings and the patient link',
        body: recordSessionBodySchema,
        response: { 201: recordedSessionSchema, ...problemResponses(...AUTHED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const recorded = await recordSession(deps, requestActor(request), request.body);
      return reply.status(201).send({ ...recorded, session: sessionView(recorded.session) });
    },
  );

  app.get<{ Params: IdParams }>(
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
      const found = await readSession(deps, requestActor(request), {
        sessionId: request.params.id,
      });
      return {
        ...found,
        session: sessionView(found.session),
        checkIns: found.checkIns.map(checkInView),
        alerts: found.alerts.map(alertView),
      };
    },
  );

  app.post<{ Params: IdParams }>(
    '/:id/link',
    {
      config: staff,
      schema: {
        tags: ['sessions'],
        summary: 'Issue a new patient link (earlier links of the session stop working)',
        params: idParams,
        response: {
          201: { type: 'object', properties: { link: issuedLinkSchema } },
          ...problemResponses(...AUTHED_PROBLEMS, 'conflict'),
        },
      },
    },
    async (request, reply) => {
      const { link } = await reissuePatientLink(deps, requestActor(request), {
        sessionId: request.params.id,
      });
      return reply.status(201).send({ link });
    },
  );

  app.post<{ Params: IdParams }>(
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
    async (request) =>
      revokePatientLinks(deps, requestActor(request), { sessionId: request.params.id }),
  );
}
