import type { FastifyInstance } from 'fastify';
import {
  ALERT_SEVERITIES,
  ALERT_STATUSES,
  acknowledgeAlert,
  type AlertSeverity,
  type AlertStatus,
  findAlert,
  listAlerts,
  resolveAlert,
} from '../../../store/alerts.repository.ts';
import { withTransaction } from '../../../store/db.ts';
import { actorOf } from '../../audit.ts';
import { recordAudit } from '../../../services/audit.ts';
import { principalOf, staffOf } from '../../auth/auth.plugin.ts';
import { AppError } from '../../../services/errors.ts';
import { AUTHED_PROBLEMS, idParams, problemResponses } from '../../schemas.ts';
import { alertView, alertViewSchema } from '../../../services/schemas/views.ts';

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...ALERT_STATUSES] },
    severity: { type: 'string', enum: [...ALERT_SEVERITIES] },
    limit: {
      type: 'string',
      pattern: '^([1-9][0-9]{0,2}|1000)$',
      default: '100',
      description: '1 to 1000',
    },
  },
} as const;

const resolveBody = {
  type: 'object',
  additionalProperties: false,
  required: ['note'],
  properties: {
    note: { type: 'string', minLength: 1, maxLength: 2000, description: 'What was done' },
  },
} as const;

/** The clinic's alerts: open first, most severe first, longest waiting first. */
export async function alertRoutes(app: FastifyInstance): Promise<void> {
  const { db, clock } = app.deps;
  const staff = { access: 'staff' } as const;

  app.get<{ Querystring: { status?: AlertStatus; severity?: AlertSeverity; limit: string } }>(
    '',
    {
      config: staff,
      schema: {
        tags: ['alerts'],
        summary: 'Alerts of the clinic, open first, then by severity and age',
        querystring: listQuery,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: alertViewSchema } } },
          ...problemResponses(...AUTHED_PROBLEMS),
        },
      },
    },
    async (request) => {
      const { clinicId } = principalOf(request);
      const { status, severity, limit } = request.query;
      const alerts = await listAlerts(db, clinicId, {
        ...(status === undefined ? {} : { status }),
        ...(severity === undefined ? {} : { severity }),
        limit: Number(limit),
      });
      await recordAudit(db, clock, actorOf(request), {
        action: 'alert.list',
        subjectType: 'alert',
        subjectId: null,
        details: {
          resultCount: alerts.length,
          patientIds: [...new Set(alerts.map((a) => a.patientId))],
        },
      });
      return { items: alerts.map(alertView) };
    },
  );

  app.post<{ Params: { id: string } }>(
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
    async (request) => {
      const me = staffOf(request);
      return withTransaction(db, async (trx) => {
        const alert = await findAlert(trx, me.clinicId, request.params.id);
        if (alert === undefined) throw new AppError('not_found', 'No such alert.');
        if (!(await acknowledgeAlert(trx, me.clinicId, alert.id, me.userId, clock.now()))) {
          throw new AppError(
            'conflict',
            `This alert is ${alert.status}; only an open alert can be acknowledged.`,
          );
        }
        await recordAudit(trx, clock, actorOf(request), {
          action: 'alert.acknowledge',
          subjectType: 'alert',
          subjectId: alert.id,
          patientId: alert.patientId,
        });
        return alertView((await findAlert(trx, me.clinicId, alert.id)) ?? alert);
      });
    },
  );

  app.post<{ Params: { id: string }; Body: { note: string } }>(
    '/:id/resolve',
    {
      config: staff,
      schema: {
        tags: ['alerts'],
        summary: 'Resolve an open or acknowledged alert with a note (409 if already resolved)',
        params: idParams,
        body: resolveBody,
        response: { 200: alertViewSchema, ...problemResponses(...AUTHED_PROBLEMS, 'conflict') },
      },
    },
    async (request) => {
      const me = staffOf(request);
      return withTransaction(db, async (trx) => {
        const alert = await findAlert(trx, me.clinicId, request.params.id);
        if (alert === undefined) throw new AppError('not_found', 'No such alert.');
        if (
          !(await resolveAlert(
            trx,
            me.clinicId,
            alert.id,
            me.userId,
            clock.now(),
            request.body.note.trim(),
          ))
        ) {
          throw new AppError(
            'conflict',
            `This alert is ${alert.status}; it cannot be resolved again.`,
          );
        }
        await recordAudit(trx, clock, actorOf(request), {
          action: 'alert.resolve',
          subjectType: 'alert',
          subjectId: alert.id,
          patientId: alert.patientId,
        });
        return alertView((await findAlert(trx, me.clinicId, alert.id)) ?? alert);
      });
    },
  );
}
