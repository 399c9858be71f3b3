import type { FastifyInstance } from 'fastify';
import { requestActor } from '../../../api/audit.ts';
import { readAdverseEventRegister, registerPeriodOf } from '../../../services/register.ts';
import { sendPage, staffOf } from '../context.ts';
import { registerCsv, registerPage } from '../pages/register.page.ts';

/** The adverse-event register: counts only, no patient named (the service audits the read). */
export async function dashboardRegisterRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;

  app.get<{ Querystring: { period?: string } }>(
    '/register',
    { config: { access: 'public', dashboard: 'staff' } },
    async (request, reply) => {
      const { page } = staffOf(request);
      const period = registerPeriodOf(request.query.period);
      const counts = await readAdverseEventRegister(deps, requestActor(request), {
        periodDays: period,
      });
      return sendPage(reply, 200, registerPage(page, { period, counts }));
    },
  );

  app.get<{ Querystring: { period?: string } }>(
    '/register/print',
    { config: { access: 'public', dashboard: 'staff' } },
    async (request, reply) => {
      const { page } = staffOf(request);
      const period = registerPeriodOf(request.query.period);
      const counts = await readAdverseEventRegister(deps, requestActor(request), {
        periodDays: period,
      });
      return sendPage(reply, 200, registerPage(page, { period, counts, print: true }));
    },
  );

  app.get<{ Querystring: { period?: string } }>(
    '/register.csv',
    { config: { access: 'public', dashboard: 'staff' } },
    async (request, reply) => {
      const period = registerPeriodOf(request.query.period);
      const counts = await readAdverseEventRegister(deps, requestActor(request), {
        periodDays: period,
      });
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="adverse-event-register-${period}d.csv"`,
        )
        .send(registerCsv({ period, counts }));
    },
  );
}
