import type { FastifyInstance } from 'fastify';
import { readAlertBurden } from '../../../services/alert-burden.ts';
import { sendPage, staffOf } from '../context.ts';
import { alertBurdenPage } from '../pages/alert-burden.page.ts';

/** `/app/clinic/alert-burden`: the clinic's alerts per 1,000 sessions beside the simulated expectation (admins). */
export async function dashboardAlertBurdenRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/clinic/alert-burden',
    { config: { access: 'public', dashboard: 'admin' } },
    async (request, reply) => {
      const { staff, page } = staffOf(request);
      const burden = await readAlertBurden(app.deps, {
        kind: 'staff',
        userId: staff.userId,
        clinicId: staff.clinicId,
        role: staff.role,
        ip: request.ip,
        requestId: request.id,
      });
      return sendPage(reply, 200, alertBurdenPage(page, burden));
    },
  );
}
