import { isDatabaseUnavailable } from '../../../store/db-errors.ts';
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf } from '../../../api/audit.ts';
import { recordAudit } from '../../../services/audit.ts';
import { acknowledgeAlert, findAlert, resolveAlert } from '../../../store/alerts.repository.ts';
import { withTransaction } from '../../../store/db.ts';
import { field, sendPage, staffOf, UUID_RE } from '../context.ts';
import { messagePage } from '../layout.ts';
import { tr } from '../messages.ts';
import { alertsPage, queueFragment } from '../pages/alerts.page.ts';
import { type AlertQueue, loadQueue, queueSignature } from '../queue.ts';
import { loadStaff } from '../session-auth.ts';

export interface AlertRoutesOptions {
  /** How often the live-update stream looks for a change in open alerts. */
  readonly pollMs: number;
}

const staffRoute = { access: 'public', dashboard: 'staff' } as const;

function hash(signature: string): string {
  return createHash('sha256').update(signature).digest('base64url').slice(0, 16);
}

/** The alert queue (home page), its fragment for live updates, acknowledge, resolve, and the event stream. */
export async function dashboardAlertRoutes(
  app: FastifyInstance,
  options: AlertRoutesOptions,
): Promise<void> {
  const { deps } = app;
  const { db, clock } = deps;

  async function readQueue(request: FastifyRequest, clinicId: string): Promise<AlertQueue> {
    const queue = await loadQueue(db, clinicId);
    const shown = [...queue.open, ...queue.acknowledged, ...queue.resolved];
    await recordAudit(db, clock, actorOf(request), {
      action: 'alert.list',
      subjectType: 'alert',
      subjectId: null,
      details: {
        resultCount: shown.length,
        patientIds: [...new Set(shown.map((i) => i.alert.patientId))],
        via: 'dashboard',
      },
    });
    return queue;
  }

  app.get<{ Querystring: { notice?: string } }>(
    '/',
    { config: staffRoute },
    async (request, reply) => {
      const { staff, clinic, page } = staffOf(request);
      const queue = await readQueue(request, staff.clinicId);
      const signature = hash((await queueSignature(db, staff.clinicId)).signature);
      const flash =
        request.query.notice === 'gone'
          ? tr(page.locale, 'alertGone')
          : request.query.notice === 'note'
            ? tr(page.locale, 'noteRequired')
            : undefined;
      return sendPage(
        reply,
        200,
        alertsPage(page, { queue, timeZone: clinic.timeZone, now: clock.now(), signature }, flash),
      );
    },
  );

  app.get('/alerts/fragment', { config: staffRoute }, async (request, reply) => {
    const { staff, clinic, page } = staffOf(request);
    const queue = await readQueue(request, staff.clinicId);
    const signature = hash((await queueSignature(db, staff.clinicId)).signature);
    return sendPage(
      reply,
      200,
      queueFragment(page, { queue, timeZone: clinic.timeZone, now: clock.now(), signature }).value,
    );
  });

  app.post<{ Params: { id: string } }>(
    '/alerts/:id/acknowledge',
    { config: staffRoute },
    async (request, reply) => {
      const { staff, page } = staffOf(request);
      if (!UUID_RE.test(request.params.id))
        return sendPage(reply, 404, messagePage(page, 'notFoundTitle', 'notFoundText'));
      const outcome = await withTransaction(db, async (trx) => {
        const alert = await findAlert(trx, staff.clinicId, request.params.id);
        if (alert === undefined) return 'missing' as const;
        if (!(await acknowledgeAlert(trx, staff.clinicId, alert.id, staff.userId, clock.now())))
          return 'gone' as const;
        await recordAudit(trx, clock, actorOf(request), {
          action: 'alert.acknowledge',
          subjectType: 'alert',
          subjectId: alert.id,
          patientId: alert.patientId,
        });
        return 'done' as const;
      });
      if (outcome === 'missing')
        return sendPage(reply, 404, messagePage(page, 'notFoundTitle', 'notFoundText'));
      return reply.redirect(
        outcome === 'gone' ? '/app?notice=gone' : `/app#alert-${request.params.id}`,
        303,
      );
    },
  );

  app.post<{ Params: { id: string } }>(
    '/alerts/:id/resolve',
    { config: staffRoute },
    async (request, reply) => {
      const { staff, page } = staffOf(request);
      if (!UUID_RE.test(request.params.id))
        return sendPage(reply, 404, messagePage(page, 'notFoundTitle', 'notFoundText'));
      const note = field(request.body, 'note').trim().slice(0, 2000);
      const outcome = await withTransaction(db, async (trx) => {
        const alert = await findAlert(trx, staff.clinicId, request.params.id);
        if (alert === undefined) return 'missing' as const;
        if (note === '') return 'note' as const;
        if (!(await resolveAlert(trx, staff.clinicId, alert.id, staff.userId, clock.now(), note)))
          return 'gone' as const;
        await recordAudit(trx, clock, actorOf(request), {
          action: 'alert.resolve',
          subjectType: 'alert',
          subjectId: alert.id,
          patientId: alert.patientId,
        });
        return 'done' as const;
      });
      if (outcome === 'missing')
        return sendPage(reply, 404, messagePage(page, 'notFoundTitle', 'notFoundText'));
      if (outcome === 'note') return reply.redirect('/app?notice=note', 303);
      return reply.redirect(outcome === 'gone' ? '/app?notice=gone' : '/app', 303);
    },
  );

  // Server-sent events: every `pollMs` the stream reads the clinic's open alerts from the
  // database and sends `alerts` when they changed. Polling the database (not an in-process
  // event bus) is what makes it work with several app processes on PostgreSQL.
  const streams = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of streams) res.end();
    streams.clear();
  });

  app.get(
    '/events',
    { config: { access: 'public', dashboard: 'stream' } },
    async (request, reply) => {
      const { staff } = staffOf(request);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-content-type-options': 'nosniff',
        'x-accel-buffering': 'no',
      });
      streams.add(res);
      let last = '';
      let busy = false;
      let down = false;
      let ticks = 0;
      const send = async () => {
        if (busy || res.writableEnded) return;
        busy = true;
        try {
          ticks += 1;
          // The session may end (sign-out, timeout, deactivation) while the stream is open.
          if (ticks % 5 === 0 && (await loadStaff(deps, request, false)) === null) {
            res.write('event: signed-out\ndata: {}\n\n');
            res.end();
            return;
          }
          const { signature, openEmergencies } = await queueSignature(db, staff.clinicId);
          if (down) {
            down = false;
            res.write('event: available\ndata: {}\n\n');
          }
          const h = hash(signature);
          if (h !== last) {
            last = h;
            res.write(
              `event: alerts\ndata: ${JSON.stringify({ signature: h, emergencies: openEmergencies })}\n\n`,
            );
          } else if (ticks % 8 === 0) {
            res.write(': keep-alive\n\n');
          }
        } catch (error) {
          request.log.warn({ err: error }, 'alert stream poll failed');
          // The page shows a banner until the database answers again (issue 16).
          if (isDatabaseUnavailable(error) && !down) {
            down = true;
            res.write('event: unavailable\ndata: {}\n\n');
          }
        } finally {
          busy = false;
        }
      };
      res.write(`retry: ${Math.max(1000, options.pollMs)}\n\n`);
      await send();
      const timer = setInterval(() => void send(), options.pollMs);
      const stop = () => {
        clearInterval(timer);
        streams.delete(res);
      };
      request.raw.on('close', stop);
      res.on('close', stop);
    },
  );
}
