import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../../api/audit.ts';
import { recordAudit } from '../../../services/audit.ts';
import { sendPage, staffOf } from '../context.ts';
import { registerPage } from '../pages/register.page.ts';
import { countAdverseEvents, PERIODS, type PeriodDays } from '../register.ts';
import { listSessionsWithReports } from '../../../store/register.repository.ts';

/** The adverse-event register: counts only, no patient named, but built from patient data. */
export async function dashboardRegisterRoutes(app: FastifyInstance): Promise<void> {
  const { db, clock } = app.deps;

  app.get<{ Querystring: { period?: string } }>(
    '/register',
    { config: { access: 'public', dashboard: 'staff' } },
    async (request, reply) => {
      const { staff, page } = staffOf(request);
      const asked = Number(request.query.period);
      const period: PeriodDays = (PERIODS as readonly number[]).includes(asked)
        ? (asked as PeriodDays)
        : 90;
      const now = clock.now();
      const sessions = await listSessionsWithReports(
        db,
        staff.clinicId,
        new Date(now.getTime() - period * 86_400_000),
        now,
      );
      const counts = countAdverseEvents(sessions, now, period);
      await recordAudit(db, clock, actorOf(request), {
        action: 'register.read',
        subjectType: 'clinic',
        subjectId: staff.clinicId,
        details: { periodDays: period, sessionCount: counts.all.sessions },
      });
      return sendPage(reply, 200, registerPage(page, { period, counts }));
    },
  );
}
