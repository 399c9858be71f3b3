import { type CompiledQuery, sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { listAlertQueue, listReportsWhileOpen } from './alert-queue.repository.ts';
import {
  type Alert,
  type AlertSeverity,
  acknowledgeAlert,
  insertAlert,
  listAlerts,
  raiseOpenAlertSeverity,
  resolveAlert,
} from './alerts.repository.ts';
import { insertAssessment, insertCheckIn, listCheckInsForSession } from './checkins.repository.ts';
import { type Db, dialectOf } from './db.ts';
import { findPatient } from './patients.repository.ts';
import { type SeededSession, seedAnotherSession, seedSession } from './test-fixtures.ts';

/**
 * SQLite's plan of each statement `run` makes, asked with its values written in as literals:
 * bound as parameters, this file's database planned the statement of decision 1452 other than a
 * seeded one did, while literals gave the seeded database's plan.
 */
async function sqlitePlansWithLiterals(
  db: Db,
  run: (db: Db) => Promise<unknown>,
): Promise<string[][]> {
  const captured: CompiledQuery[] = [];
  await run(
    db.withPlugin({
      transformQuery: (args) => {
        captured.push(db.getExecutor().compileQuery(args.node, args.queryId));
        return args.node;
      },
      transformResult: async (args) => args.result,
    }),
  );
  const plans: string[][] = [];
  for (const query of captured) {
    let i = 0;
    const text = query.sql.replace(/\?/g, () => {
      const value = query.parameters[i++];
      return typeof value === 'number' ? String(value) : `'${String(value).replaceAll("'", "''")}'`;
    });
    const { rows } = await sql.raw<{ detail: string }>(`explain query plan ${text}`).execute(db);
    plans.push(rows.map((r) => r.detail));
  }
  return plans;
}

describeEachDialect('alert queue (set-based)', (ctx) => {
  let n = 0;
  /** A check-in with its assessment, and an alert pointing at that assessment. */
  async function raised(s: SeededSession, severity: AlertSeverity, minute: number) {
    const at = `2026-11-25T10:${String(minute).padStart(2, '0')}:00.000Z`;
    const checkIn = await insertCheckIn(ctx.db, {
      sessionId: s.session.id,
      clinicId: s.clinic.id,
      receivedAt: at,
      hoursAfter: 20 + n++,
      soreness: 5,
      symptoms: ['fever'],
      source: 'patient',
    });
    const assessment = await insertAssessment(ctx.db, {
      checkInId: checkIn.id,
      sessionId: s.session.id,
      clinicId: s.clinic.id,
      disposition: 'urgent_same_day',
      rules: ['fever'],
      rulebookVersion: '1.1.0',
      phase: 'peak',
      thoracic: false,
      createdAt: at,
    });
    return insertAlert(ctx.db, {
      clinicId: s.clinic.id,
      sessionId: s.session.id,
      patientId: s.patient.id,
      assessmentId: assessment.id,
      severity,
      createdAt: at,
    });
  }

  /** What the dashboard built before, one alert at a time (src/web/dashboard/queue.ts). */
  async function oneByOne(clinicId: string, alerts: readonly Alert[]) {
    const out = [];
    for (const alert of alerts) {
      const patient = await findPatient(ctx.db, clinicId, alert.patientId);
      const list = await listCheckInsForSession(ctx.db, alert.sessionId);
      out.push({
        alert,
        patientName: patient?.displayName ?? '?',
        checkIn: list.find((c) => c.assessment?.id === alert.assessmentId),
      });
    }
    return out;
  }

  it('returns what the one-by-one queue returned, in two statements', async () => {
    const a = await seedSession(ctx.db);
    const b = await seedSession(ctx.db);
    const other = await seedSession(ctx.db); // another clinic: never shown
    await raised(other, 'emergency', 1);
    const routine = await raised(a, 'routine', 2);
    const emergency = await raised(a, 'emergency', 3);
    const urgent = await raised(b, 'urgent', 4);
    const acked = await raised(a, 'emergency', 5);
    const resolvedOld = await raised(b, 'urgent', 6);
    const resolvedNew = await raised(a, 'routine', 7);
    const noAssessment = await insertAlert(ctx.db, {
      clinicId: a.clinic.id,
      sessionId: a.session.id,
      patientId: a.patient.id,
      assessmentId: null,
      severity: 'urgent',
      createdAt: '2026-11-25T10:08:00.000Z',
    });
    const p = a.practitioner.id;
    await acknowledgeAlert(ctx.db, a.clinic.id, acked.id, p, '2026-11-25T11:00:00Z');
    await resolveAlert(ctx.db, b.clinic.id, resolvedOld.id, p, '2026-11-25T11:01:00Z', 'ok');
    await resolveAlert(ctx.db, a.clinic.id, resolvedNew.id, p, '2026-11-25T11:02:00Z', 'ok');

    const queue = await listAlertQueue(ctx.db, a.clinic.id);
    const active = await listAlerts(ctx.db, a.clinic.id, {
      status: ['open', 'acknowledged'],
      limit: 500,
    });
    expect(queue.active.map((e) => e.alert.id)).toEqual([
      emergency.id,
      noAssessment.id,
      routine.id,
      acked.id,
    ]);
    expect(queue.active).toEqual(await oneByOne(a.clinic.id, active));
    expect(queue.active[0]?.checkIn?.assessment?.rules).toEqual(['fever']);
    expect(queue.active[1]?.checkIn).toBeUndefined();
    expect(queue.active[0]?.patientName).toBe('Alex Patient');

    const resolved = (await listAlerts(ctx.db, a.clinic.id, { status: 'resolved', limit: 200 }))
      .sort((x, y) => (y.resolvedAt ?? '').localeCompare(x.resolvedAt ?? ''))
      .slice(0, 10);
    expect(queue.resolved.map((e) => e.alert.id)).toEqual([resolvedNew.id]);
    expect(queue.resolved).toEqual(await oneByOne(a.clinic.id, resolved));

    const queueB = await listAlertQueue(ctx.db, b.clinic.id);
    expect(queueB.active.map((e) => e.alert.id)).toEqual([urgent.id]);
    expect(queueB.resolved.map((e) => e.alert.id)).toEqual([resolvedOld.id]);
  });

  it('keeps the order when an open alert is raised, and limits the resolved list', async () => {
    const s = await seedSession(ctx.db);
    const first = await raised(s, 'routine', 10);
    const second = await raised(s, 'urgent', 11);
    await raiseOpenAlertSeverity(
      ctx.db,
      s.clinic.id,
      first.id,
      'emergency',
      first.assessmentId ?? '',
    );
    for (let i = 0; i < 3; i++) {
      const r = await raised(s, 'routine', 20 + i);
      await resolveAlert(
        ctx.db,
        s.clinic.id,
        r.id,
        s.practitioner.id,
        `2026-11-25T12:0${i}:00Z`,
        'x',
      );
    }
    const queue = await listAlertQueue(ctx.db, s.clinic.id, { resolvedShown: 2 });
    expect(queue.active.map((e) => [e.alert.id, e.alert.severity])).toEqual([
      [first.id, 'emergency'],
      [second.id, 'urgent'],
    ]);
    expect(queue.resolved.map((e) => e.alert.resolvedAt)).toEqual([
      '2026-11-25T12:02:00.000Z',
      '2026-11-25T12:01:00.000Z',
    ]);
  });

  it("reads the reports beside an alert by its session, never the clinic's whole history (decisions 1452, 1454)", async () => {
    const a = await seedSession(ctx.db);
    const a2 = { ...a, session: await seedAnotherSession(ctx.db, a) };
    const other = await seedSession(ctx.db); // another clinic
    const open = await raised(a, 'urgent', 10);
    const later = await raised(a, 'urgent', 11); // stands in for a report while it was open
    const open2 = await raised(a2, 'routine', 12);
    const elsewhere = await raised(other, 'urgent', 13);
    // A self-care report while it was open is not one of them (nor in the partial index).
    const calm = await insertCheckIn(ctx.db, {
      sessionId: a.session.id,
      clinicId: a.clinic.id,
      receivedAt: '2026-11-25T10:14:00.000Z',
      hoursAfter: 40,
      soreness: 2,
      symptoms: [],
      source: 'patient',
    });
    await insertAssessment(ctx.db, {
      checkInId: calm.id,
      sessionId: a.session.id,
      clinicId: a.clinic.id,
      disposition: 'self_care',
      rules: ['expected_course'],
      rulebookVersion: '1.1.0',
      phase: 'peak',
      thoracic: false,
      createdAt: '2026-11-25T10:14:00.000Z',
    });
    const found = await listReportsWhileOpen(ctx.db, a.clinic.id, [open, open2]);
    expect(found.get(open.id)?.map((r) => r.assessment?.id)).toEqual([later.assessmentId]);
    expect(found.has(open2.id)).toBe(false);
    // An alert of another clinic asked for under this one finds nothing.
    expect((await listReportsWhileOpen(ctx.db, a.clinic.id, [elsewhere])).size).toBe(0);

    if (dialectOf(ctx.db) !== 'sqlite') return; // PostgreSQL plans seq scans on tables this small
    const plans = await sqlitePlansWithLiterals(ctx.db, (db) =>
      listReportsWhileOpen(db, a.clinic.id, [open, open2]),
    );
    expect(plans).toHaveLength(1);
    const lines = plans[0] ?? [];
    // With the clinic in the statement, SQLite walked check_ins_clinic_received: every check-in
    // the clinic ever had, on each queue page and each tick of its live list. Then it walked
    // every check-in of the sessions and looked up each one's assessment; now only the reports
    // above self-care, by the partial index (decision 1454).
    expect(lines.some((l) => l.includes('USING INDEX assessments_session_raised'))).toBe(true);
    expect(
      lines.filter((l) => l.includes('check_ins_session_hours') || l.includes('check_in_id=')),
    ).toEqual([]);
    expect(
      lines.filter((l) => l.includes('check_ins_clinic_received') || l.startsWith('SCAN')),
    ).toEqual([]);
  });
});
