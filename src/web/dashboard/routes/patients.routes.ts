import type { FastifyInstance } from 'fastify';
import { listAlertsForPatient } from '../../../store/alerts.repository.ts';
import { actorOf } from '../../../api/audit.ts';
import { recordAudit } from '../../../services/audit.ts';
import { listCheckInsForSession } from '../../../store/checkins.repository.ts';
import { findPatient } from '../../../store/patients.repository.ts';
import { listSessionsForPatient } from '../../../store/sessions.repository.ts';
import { listStaff } from '../../../store/staff.repository.ts';
import { sendPage, staffOf, UUID_RE } from '../context.ts';
import { messagePage } from '../layout.ts';
import { patientPage } from '../pages/patient.page.ts';

/** One patient: sessions, curves, check-ins with their triage, alerts with their history. */
export async function dashboardPatientRoutes(app: FastifyInstance): Promise<void> {
  const { db, clock } = app.deps;

  app.get<{ Params: { id: string } }>(
    '/patients/:id',
    { config: { access: 'public', dashboard: 'staff' } },
    async (request, reply) => {
      const { staff, clinic, page } = staffOf(request);
      const patient = UUID_RE.test(request.params.id)
        ? await findPatient(db, staff.clinicId, request.params.id)
        : undefined;
      if (patient === undefined)
        return sendPage(reply, 404, messagePage(page, 'notFoundTitle', 'notFoundText'));
      const sessions = await listSessionsForPatient(db, staff.clinicId, patient.id);
      const alerts = await listAlertsForPatient(db, staff.clinicId, patient.id);
      const entries = [];
      for (const session of sessions) {
        entries.push({
          session,
          checkIns: await listCheckInsForSession(db, session.id),
          alerts: alerts.filter((a) => a.sessionId === session.id),
        });
      }
      const staffNames = new Map(
        (await listStaff(db, staff.clinicId)).map((u) => [u.id, u.displayName]),
      );
      await recordAudit(db, clock, actorOf(request), {
        action: 'patient.timeline.read',
        subjectType: 'patient',
        subjectId: patient.id,
        patientId: patient.id,
        details: { via: 'dashboard' },
      });
      return sendPage(
        reply,
        200,
        patientPage(page, {
          patient,
          sessions: entries,
          staffNames,
          timeZone: clinic.timeZone,
          now: clock.now(),
        }),
      );
    },
  );
}
