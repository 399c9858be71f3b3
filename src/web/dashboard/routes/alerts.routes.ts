import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestActor } from '../../../api/audit.ts';
import { sessionCookieName } from '../../../api/auth/auth.plugin.ts';
import {
  acknowledgeAlert,
  NOTE_MAX_LENGTH,
  readAlertQueueSignature,
  readAlertQueueThen,
  recordContactAttempt,
  resolveAlert,
} from '../../../services/alerts.ts';
import { AppError } from '../../../services/errors.ts';
import { isDatabaseUnavailable } from '../../../store/db-errors.ts';
import { field, sendPage, staffOf } from '../context.ts';
import { tr } from '../messages.ts';
import { type AlertDraft, alertsPage, queueFragment } from '../pages/alerts.page.ts';
import { type AlertQueue, queueOf } from '../queue.ts';
import { loadStaff } from '../session-auth.ts';
import { createStreamCap } from '../stream-cap.ts';

export interface AlertRoutesOptions {
  /** How often the live-update stream looks for a change in open alerts. */
  readonly pollMs: number;
}

const staffRoute = { access: 'public', dashboard: 'staff' } as const;
/** The queue's own pages: they show the open-alert counts of their read (decision 1457). */
const queueRoute = { ...staffRoute, pageCounts: true } as const;

function hash(signature: string): string {
  return createHash('sha256').update(signature).digest('base64url').slice(0, 16);
}

/** The alert queue (home page), its fragment for live updates, acknowledge, resolve, and the event stream. */
export async function dashboardAlertRoutes(
  app: FastifyInstance,
  options: AlertRoutesOptions,
): Promise<void> {
  const { deps } = app;
  const { clock } = deps;

  /**
   * Read the queue and render it with `render`, which runs while the read's audit event is
   * still being committed; the markup comes back once it is (decision 1462).
   */
  function renderQueue<T>(
    request: FastifyRequest,
    render: (read: { queue: AlertQueue; signature: string }) => T,
  ): Promise<T> {
    return readAlertQueueThen(deps, requestActor(request), (data) =>
      render({ queue: queueOf(data), signature: hash(data.signature) }),
    );
  }

  /**
   * After acknowledge, an attempt or resolve: back to the queue. A refused form (a blank note,
   * no outcome, a confirmed event without its severity) comes back as the queue itself, with
   * that card's form as it was sent and what to add above it (decision 0403); an alert someone
   * else has handled meanwhile, back to the queue saying so.
   */
  async function afterAction(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    form: AlertDraft['form'],
    action: () => Promise<unknown>,
    done: string,
  ): Promise<FastifyReply> {
    try {
      await action();
    } catch (error) {
      if (error instanceof AppError && error.code === 'conflict')
        return reply.redirect('/app?notice=gone', 303);
      if (error instanceof AppError && error.code === 'validation_failed') {
        const refused = error.errors[0]?.field;
        const body = request.body;
        const draft: AlertDraft = {
          alertId: request.params.id,
          form,
          note: field(body, 'note').slice(0, NOTE_MAX_LENGTH),
          outcome: field(body, 'outcome'),
          outcomeClass: field(body, 'outcomeClass'),
          error:
            refused === 'outcome' || refused === 'outcomeClass'
              ? 'outcomeRequired'
              : form === 'resolve'
                ? 'noteRequired'
                : 'attemptRequired',
        };
        return showQueue(request, reply, 400, { draft });
      }
      throw error;
    }
    return reply.redirect(done, 303);
  }

  async function showQueue(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    options: { flash?: string; draft?: AlertDraft } = {},
  ): Promise<FastifyReply> {
    const { clinic, page: frame } = staffOf(request);
    const markup = await renderQueue(request, ({ queue, signature }) => {
      // The counts of this read, in the frame as on the page (the frame may not have read them).
      const page = {
        ...frame,
        openEmergencies: queue.openEmergencies,
        openUrgentOrEmergency: queue.openUrgentOrEmergency,
      };
      const view = {
        queue,
        timeZone: clinic.timeZone,
        now: clock.now(),
        signature,
        draft: options.draft,
      };
      return alertsPage(page, view, options.flash);
    });
    return sendPage(reply, status, markup);
  }

  app.get<{ Querystring: { notice?: string } }>(
    '/',
    { config: queueRoute },
    async (request, reply) => {
      const { page } = staffOf(request);
      const flash = request.query.notice === 'gone' ? tr(page.locale, 'alertGone') : undefined;
      return showQueue(request, reply, 200, flash === undefined ? {} : { flash });
    },
  );

  app.get('/alerts/fragment', { config: queueRoute }, async (request, reply) => {
    const { clinic, page } = staffOf(request);
    const markup = await renderQueue(request, ({ queue, signature }) =>
      queueFragment(page, { queue, timeZone: clinic.timeZone, now: clock.now(), signature }),
    );
    return sendPage(reply, 200, markup);
  });

  app.post<{ Params: { id: string } }>(
    '/alerts/:id/acknowledge',
    { config: staffRoute },
    async (request, reply) =>
      afterAction(
        request,
        reply,
        'acknowledge',
        () =>
          acknowledgeAlert(deps, requestActor(request), {
            alertId: request.params.id,
            note: field(request.body, 'note').slice(0, NOTE_MAX_LENGTH),
          }),
        `/app#alert-${request.params.id}`,
      ),
  );

  app.post<{ Params: { id: string } }>(
    '/alerts/:id/attempts',
    { config: staffRoute },
    async (request, reply) =>
      afterAction(
        request,
        reply,
        'attempt',
        () =>
          recordContactAttempt(deps, requestActor(request), {
            alertId: request.params.id,
            note: field(request.body, 'note').slice(0, NOTE_MAX_LENGTH),
          }),
        `/app#alert-${request.params.id}`,
      ),
  );

  app.post<{ Params: { id: string } }>(
    '/alerts/:id/resolve',
    { config: staffRoute },
    async (request, reply) =>
      afterAction(
        request,
        reply,
        'resolve',
        () =>
          resolveAlert(deps, requestActor(request), {
            alertId: request.params.id,
            // A form cannot be told a length: cut the note rather than lose it.
            note: field(request.body, 'note').trim().slice(0, NOTE_MAX_LENGTH),
            outcome: field(request.body, 'outcome') || undefined,
            // A class ticked before changing one's mind to "false alarm" is not meant.
            outcomeClass:
              field(request.body, 'outcome') === 'confirmed'
                ? field(request.body, 'outcomeClass') || undefined
                : undefined,
          }),
        // At the card, now under "Recently resolved": it says who resolved it and how it turned out.
        `/app#alert-${request.params.id}`,
      ),
  );

  // Server-sent events: every `pollMs` the stream reads the clinic's open alerts from the
  // database and sends `alerts` when they changed. Polling the database (not an in-process
  // event bus) is what makes it work with several app processes on PostgreSQL.
  const streams = new Set<ServerResponse>();
  const streamCap = createStreamCap();
  // At the stop every stream ends (the browser reconnects to another process, or after the
  // restart), and a stream still being opened is refused rather than added after the ending.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    for (const res of streams) res.end();
    streams.clear();
  });

  app.get(
    '/events',
    { config: { access: 'public', dashboard: 'stream' } },
    async (request, reply) => {
      const actor = requestActor(request);
      if (closing)
        return reply
          .status(503)
          .header('retry-after', '5')
          .type('text/plain; charset=utf-8')
          .send('The server is restarting. The page reconnects by itself.');
      // A few streams per staff session (issue 12, finding 7); the access hook checked the cookie.
      const release = streamCap.open(
        request.cookies[sessionCookieName(deps.config.cookieSecure)] ?? '',
      );
      if (release === undefined) {
        request.log.warn('dashboard: too many event streams for one session');
        return reply
          .status(429)
          .header('retry-after', '30')
          .type('text/plain; charset=utf-8')
          .send('Too many open dashboard tabs. Close some and reload.');
      }
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
        if (busy || res.writableEnded || res.destroyed) return;
        busy = true;
        try {
          ticks += 1;
          // The session may end (sign-out, timeout, deactivation) while the stream is open.
          if (ticks % 5 === 0 && (await loadStaff(deps, request, false)) === null) {
            res.write('event: signed-out\ndata: {}\n\n');
            res.end();
            return;
          }
          const { signature, openEmergencies, openUrgentOrEmergency } =
            await readAlertQueueSignature(deps, actor);
          if (down) {
            down = false;
            res.write('event: available\ndata: {}\n\n');
          }
          const h = hash(signature);
          if (h !== last) {
            last = h;
            res.write(
              `event: alerts\ndata: ${JSON.stringify({ signature: h, emergencies: openEmergencies, titleCount: openUrgentOrEmergency })}\n\n`,
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
      // Listen for the end BEFORE the first read: a tab closed while that read runs must
      // still stop the polling and give its place back (otherwise the timer polls for ever
      // and keeps the process from exiting on shutdown).
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      const stop = () => {
        if (stopped) return;
        stopped = true;
        clearInterval(timer);
        streams.delete(res);
        release();
      };
      request.raw.on('close', stop);
      res.on('close', stop);
      // The browser may have gone while the access hook read the session: then 'close' was
      // emitted before the listeners above, and nothing else would stop the stream.
      if (res.destroyed) {
        stop();
        return;
      }
      res.write(`retry: ${Math.max(1000, options.pollMs)}\n\n`);
      await send();
      if (!stopped) timer = setInterval(() => void send(), options.pollMs);
    },
  );
}
