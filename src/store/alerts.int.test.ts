import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import {
  type AlertSeverity,
  acknowledgeAlert,
  countOpenAlertsBySeverity,
  findAlert,
  findOpenAlertForSession,
  insertAlert,
  listAlerts,
  resolveAlert,
} from './alerts.repository.ts';
import { type SeededSession, seedSession } from './test-fixtures.ts';

describeEachDialect('alerts', (ctx) => {
  async function alertAt(s: SeededSession, severity: AlertSeverity, createdAt: string) {
    return insertAlert(ctx.db, {
      clinicId: s.clinic.id,
      sessionId: s.session.id,
      patientId: s.patient.id,
      assessmentId: null,
      severity,
      createdAt,
    });
  }

  it('lists open first, then emergency > urgent > routine, then oldest first', async () => {
    const s = await seedSession(ctx.db);
    const routineOld = await alertAt(s, 'routine', '2026-11-25T10:00:00Z');
    const urgentNew = await alertAt(s, 'urgent', '2026-11-25T12:00:00Z');
    const urgentOld = await alertAt(s, 'urgent', '2026-11-25T11:00:00Z');
    const emergency = await alertAt(s, 'emergency', '2026-11-25T13:00:00Z');
    const acked = await alertAt(s, 'emergency', '2026-11-25T09:00:00Z');
    const resolved = await alertAt(s, 'emergency', '2026-11-25T08:00:00Z');
    expect(
      await acknowledgeAlert(
        ctx.db,
        s.clinic.id,
        acked.id,
        s.practitioner.id,
        '2026-11-25T09:05:00Z',
      ),
    ).toBe(true);
    expect(
      await resolveAlert(
        ctx.db,
        s.clinic.id,
        resolved.id,
        s.practitioner.id,
        '2026-11-25T08:30:00Z',
        'ok',
      ),
    ).toBe(true);

    const all = await listAlerts(ctx.db, s.clinic.id, { limit: 50 });
    expect(all.map((a) => a.id)).toEqual([
      emergency.id,
      urgentOld.id,
      urgentNew.id,
      routineOld.id,
      acked.id,
      resolved.id,
    ]);
    const open = await listAlerts(ctx.db, s.clinic.id, { status: 'open', limit: 2 });
    expect(open.map((a) => a.id)).toEqual([emergency.id, urgentOld.id]);
    const urgentOrRoutine = await listAlerts(ctx.db, s.clinic.id, {
      status: ['open', 'acknowledged'],
      severity: ['urgent', 'routine'],
    });
    expect(urgentOrRoutine.map((a) => a.id)).toEqual([urgentOld.id, urgentNew.id, routineOld.id]);
    expect(await listAlerts(ctx.db, 'other-clinic')).toEqual([]);

    expect(await countOpenAlertsBySeverity(ctx.db, s.clinic.id)).toEqual({
      emergency: 1,
      urgent: 2,
      routine: 1,
    });
    expect(await countOpenAlertsBySeverity(ctx.db, 'other-clinic')).toEqual({
      emergency: 0,
      urgent: 0,
      routine: 0,
    });
    expect((await findOpenAlertForSession(ctx.db, s.session.id))?.id).toBe(emergency.id);
  });

  it('moves forward only and reports whether it changed anything', async () => {
    const s = await seedSession(ctx.db);
    const user = s.practitioner.id;
    const a = await alertAt(s, 'urgent', '2026-11-25T10:00:00Z');
    expect(await acknowledgeAlert(ctx.db, 'other-clinic', a.id, user, '2026-11-25T10:01:00Z')).toBe(
      false,
    );
    expect(await acknowledgeAlert(ctx.db, s.clinic.id, a.id, user, '2026-11-25T10:01:00Z')).toBe(
      true,
    );
    expect(await acknowledgeAlert(ctx.db, s.clinic.id, a.id, user, '2026-11-25T10:02:00Z')).toBe(
      false,
    );
    expect(
      await resolveAlert(ctx.db, s.clinic.id, a.id, user, '2026-11-25T10:03:00Z', 'called'),
    ).toBe(true);
    expect(
      await resolveAlert(ctx.db, s.clinic.id, a.id, user, '2026-11-25T10:04:00Z', 'again'),
    ).toBe(false);
    expect(await acknowledgeAlert(ctx.db, s.clinic.id, a.id, user, '2026-11-25T10:05:00Z')).toBe(
      false,
    );
    expect(await findAlert(ctx.db, s.clinic.id, a.id)).toMatchObject({
      status: 'resolved',
      acknowledgedAt: '2026-11-25T10:01:00.000Z',
      acknowledgedBy: user,
      resolvedAt: '2026-11-25T10:03:00.000Z',
      resolvedBy: user,
      resolutionNote: 'called',
    });
  });

  it('resolving an open alert records the acknowledgement too', async () => {
    const s = await seedSession(ctx.db);
    const a = await alertAt(s, 'routine', '2026-11-25T10:00:00Z');
    expect(
      await resolveAlert(
        ctx.db,
        s.clinic.id,
        a.id,
        s.practitioner.id,
        '2026-11-25T11:00:00Z',
        null,
      ),
    ).toBe(true);
    expect(await findAlert(ctx.db, s.clinic.id, a.id)).toMatchObject({
      status: 'resolved',
      acknowledgedAt: '2026-11-25T11:00:00.000Z',
      acknowledgedBy: s.practitioner.id,
      resolutionNote: null,
    });
    expect(await findOpenAlertForSession(ctx.db, s.session.id)).toBeUndefined();
  });

  it('lets exactly one of two concurrent acknowledgements win', async () => {
    const s = await seedSession(ctx.db);
    const a = await alertAt(s, 'emergency', '2026-11-25T10:00:00Z');
    const results = await Promise.all(
      [1, 2, 3, 4].map(() =>
        acknowledgeAlert(ctx.db, s.clinic.id, a.id, s.practitioner.id, '2026-11-25T10:01:00Z'),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
