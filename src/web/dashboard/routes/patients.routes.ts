import type { FastifyInstance } from 'fastify';
import { requestActor } from '../../../api/audit.ts';
import { AppError } from '../../../services/errors.ts';
import { readPatientTimeline } from '../../../services/patients.ts';
import { listStaff } from '../../../store/staff.repository.ts';
import { sendPage, staffOf, UUID_RE } from '../context.ts';
import { messagePage } from '../layout.ts';
import { patientPage } from '../pages/patient.page.ts';

/** One patient: sessions, curves, check-ins with their triage, alerts with their history. */
export async function dashboardPatientRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;

  app.get<{ Params: { id: string } }>(
    '/patients/:id',
    { config: { access: 'public', dashboard: 'staff' } },
    async (request, reply) => {
      const { staff, clinic, page } = staffOf(request);
      const notFound = () =>
        sendPage(reply, 404, messagePage(page, 'notFoundTitle', 'notFoundText'));
      if (!UUID_RE.test(request.params.id)) return notFound();
      let timeline: Awaited<ReturnType<typeof readPatientTimeline>>;
      try {
        timeline = await readPatientTimeline(deps, requestActor(request), {
          patientId: request.params.id,
          via: 'dashboard',
        });
      } catch (error) {
        if (error instanceof AppError && error.code === 'not_found') return notFound();
        throw error;
      }
      const staffNames = new Map(
        (await listStaff(deps.db, staff.clinicId)).map((u) => [u.id, u.displayName]),
      );
      return sendPage(
        reply,
        200,
        patientPage(page, {
          patient: timeline.patient,
          sessions: timeline.sessions,
          staffNames,
          timeZone: clinic.timeZone,
          now: deps.clock.now(),
        }),
      );
    },
  );
}
