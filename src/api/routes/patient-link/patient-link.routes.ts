import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { reportInputJsonSchema, validateReportInput } from '../../../clinical/case-schema.ts';
import { AppError } from '../../../services/errors.ts';
import {
  type ActiveLink,
  readPatientSession,
  resolveLinkForEmergency,
  resolvePatientLink,
  resolvePatientLinkForCheckIn,
} from '../../../services/patient-link.ts';
import { instantSchema } from '../../../services/schemas/common.ts';
import {
  alertViewSchema,
  assessmentViewSchema,
  checkInViewSchema,
  planSchema,
  siteView,
  siteViewSchema,
  storedAssessmentView,
} from '../../../services/schemas/views.ts';
import {
  type CheckInResponse,
  pressEmergencyButton,
  submitCheckIn,
} from '../../../services/submit-check-in.ts';
import { requestActor, requestLinkActor } from '../../audit.ts';
import { usePatientLinkLimits } from '../../patient-link-limits.ts';
import { problemResponses } from '../../schemas.ts';

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
        soreness: { type: ['integer', 'null'] },
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
          soreness: { type: ['integer', 'null'] },
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

type TokenParams = FromSchema<typeof tokenParams>;
type IdempotencyHeaders = FromSchema<typeof idempotencyHeaders>;

/**
 * The link of a token, or the problem (404 unknown, 410 expired or revoked). `rememberable`:
 * a check-in without an `Idempotency-Key`, whose link may be one remembered from the token's
 * last check-in and is checked again inside the check-in's transaction (decision 1443).
 */
async function linkOf(
  app: FastifyInstance,
  request: FastifyRequest,
  token: string,
  rememberable = false,
) {
  try {
    return await (rememberable ? resolvePatientLinkForCheckIn : resolvePatientLink)(
      app.deps,
      requestActor(request),
      token,
    );
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found')
      request.log.warn('unknown patient-link token');
    throw error;
  }
}

function sendCheckIn(reply: FastifyReply, result: CheckInResponse): FastifyReply {
  if (result.replayed) reply.header('idempotent-replayed', 'true');
  return reply.status(result.status).send(result.body);
}

/**
 * The patient's side, reached with the link token only (no staff auth): one session's view,
 * check-ins, and the emergency button. A token opens its own session and nothing else.
 */
export async function patientLinkRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const link = { access: 'link' } as const;
  // Per link and per IP, counted with the patient pages; never the emergency button (1121).
  usePatientLinkLimits(app);

  app.get<{ Params: TokenParams }>(
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
      const active: ActiveLink = await linkOf(app, request, request.params.token);
      const view = await readPatientSession(deps, requestLinkActor(request, active), {
        link: active,
        what: 'api',
      });
      const { session, clinic, openAlert } = view;
      return {
        session: {
          performedAt: session.performedAt,
          thoracic: session.thoracic,
          sites: session.sites.map(siteView),
        },
        clinic,
        plan: view.plan,
        checkIns: view.checkIns.map((c) => ({
          receivedAt: c.receivedAt,
          hoursAfter: c.hoursAfter,
          soreness: c.soreness,
          symptoms: c.symptoms,
          source: c.source,
          assessment: c.assessment === null ? null : storedAssessmentView(c.assessment),
        })),
        openAlert:
          openAlert === undefined
            ? null
            : { severity: openAlert.severity, status: openAlert.status },
        link: { expiresAt: active.expiresAt },
      };
    },
  );

  app.post<{ Params: TokenParams; Body: unknown; Headers: IdempotencyHeaders }>(
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
      const idempotencyKey = request.headers['idempotency-key'];
      // With a key, the door reads the link as before: a stored answer is replayed only
      // through a link still in force.
      const active = await linkOf(app, request, request.params.token, idempotencyKey === undefined);
      const result = await submitCheckIn(deps, requestLinkActor(request, active), {
        link: active,
        input: input.value,
        source: 'patient',
        idempotencyKey,
      });
      return sendCheckIn(reply, result);
    },
  );

  // The emergency button never refuses (decision 1202): whatever body comes with it, in
  // whatever content type, is drained and ignored. Its own scope holds the one parser that
  // does that, so no other route is loosened.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => {
      payload.on('error', () => done(null, undefined));
      payload.on('end', () => done(null, undefined));
      payload.resume();
    });
    scope.post<{ Params: TokenParams; Headers: Record<string, string | undefined> }>(
      '/:token/emergency',
      {
        config: link,
        schema: {
          tags: ['patient link'],
          summary:
            '"I have chest pain or can\'t breathe": recorded as a chest-pain check-in, answered with the emergency number',
          description:
            'Never refused: any body is ignored, a key used before replays or is kept apart, and a link withdrawn or expired less than 24 hours ago still records the emergency.',
          params: tokenParams,
          response: {
            201: checkInResultSchema,
            ...problemResponses(...LINK_PROBLEMS),
          },
        },
      },
      async (request, reply) => {
        const key = request.headers['idempotency-key'];
        const { link: active } = await resolveLinkForEmergency(
          app.deps,
          requestActor(request),
          request.params.token,
        );
        const result = await pressEmergencyButton(deps, requestLinkActor(request, active), {
          link: active,
          // A key the check-in schema would refuse (too long, odd characters) is dropped, not refused.
          idempotencyKey:
            typeof key === 'string' && /^[\x21-\x7e]{1,200}$/.test(key) ? key : undefined,
        });
        return sendCheckIn(reply, result);
      },
    );
  });
}
