import pg from 'pg';
import { expect, it, vi } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import type { SymptomCode } from '../clinical/types.ts';
import {
  acknowledgeAlert,
  findOpenAlertsForSessions,
  insertAlert,
  openAlertsQuery,
  resolveAlert,
  toAlert,
} from './alerts.repository.ts';
import { appendAuditEvent, readAuditHeads } from './audit.repository.ts';
import { readCheckInHistory } from './check-in-reads.ts';
import {
  insertAssessment,
  insertCheckIn,
  listDecidingReportsForSessions,
} from './checkins.repository.ts';
import type { Db } from './db.ts';
import { FIXED_NOW, seedAnotherSession, seedSession } from './test-fixtures.ts';

const at = (minutes: number) => new Date(Date.parse(FIXED_NOW) + minutes * 60_000).toISOString();

describeEachDialect('a check-in group reads its sessions’ history and open alerts', (ctx) => {
  async function fixture() {
    const seeded = await seedSession(ctx.db);
    const more = await Promise.all([1, 2, 3, 4].map(() => seedAnotherSession(ctx.db, seeded)));
    const sessions = [seeded.session, ...more];
    const { clinic, patient, practitioner } = seeded;
    async function checkIn(
      s: number,
      minutes: number,
      hoursAfter: number,
      soreness: number | null,
      symptoms: SymptomCode[] = [],
    ) {
      const session = sessions[s] as (typeof sessions)[number];
      const c = await insertCheckIn(ctx.db, {
        sessionId: session.id,
        clinicId: clinic.id,
        receivedAt: at(minutes),
        hoursAfter,
        soreness,
        symptoms,
        source: 'patient',
      });
      const a = await insertAssessment(ctx.db, {
        checkInId: c.id,
        sessionId: session.id,
        clinicId: clinic.id,
        disposition: 'contact_practitioner',
        rules: ['R9'],
        rulebookVersion: '1.1.0',
        phase: 'early',
        thoracic: false,
        createdAt: at(minutes),
      });
      return a.id;
    }
    async function alert(s: number, severity: 'routine' | 'urgent' | 'emergency', minutes: number) {
      const session = sessions[s] as (typeof sessions)[number];
      return insertAlert(ctx.db, {
        clinicId: clinic.id,
        sessionId: session.id,
        patientId: patient.id,
        assessmentId: await checkIn(s, minutes, minutes / 60, 4),
        severity,
        createdAt: at(minutes),
      });
    }
    // Session 0: nothing yet. Session 1: a history over several hours, a number missing at
    // the latest hour, a float that JSON must carry exactly; its emergency alert is resolved.
    await checkIn(1, 1, 0.1 + 0.2, 2);
    await checkIn(1, 2, 1.1 + 2.2, 5, ['tenderness']);
    await checkIn(1, 3, 6, null, ['chest_pain']);
    await checkIn(1, 4, 6, 3);
    const resolved = await alert(1, 'emergency', 5);
    await resolveAlert(ctx.db, clinic.id, resolved.id, practitioner.id, at(6), 'seen');
    const routine1 = await alert(1, 'routine', 7);
    // Session 2: an older routine and a newer urgent alert open; an emergency acknowledged.
    await alert(2, 'routine', 10);
    const urgent2 = await alert(2, 'urgent', 11);
    const acked = await alert(2, 'emergency', 12);
    await acknowledgeAlert(ctx.db, clinic.id, acked.id, practitioner.id, at(13));
    // Session 3: two urgent alerts open, the newer one wins.
    await alert(3, 'urgent', 20);
    const newer3 = await alert(3, 'urgent', 21);
    // Session 4: reports at one hour only.
    await checkIn(4, 30, 2, 1);
    await checkIn(4, 31, 2, null, ['fever']);
    return { sessions, expected: { 1: routine1.id, 2: urgent2.id, 3: newer3.id } };
  }

  it('returns exactly what the two reads return, for every session asked', async () => {
    const { sessions, expected } = await fixture();
    const ids = [...sessions.map((s) => s.id), sessions[2]?.id ?? '', 'no-such-session'];
    const history = await readCheckInHistory(ctx.db, ids);
    expect(history.reports).toEqual(await listDecidingReportsForSessions(ctx.db, ids));
    expect(history.openAlerts).toEqual(await findOpenAlertsForSessions(ctx.db, ids));
    // The alert a clinician sees first: most severe open one, then the newest.
    expect([1, 2, 3].map((s) => history.openAlerts.get(sessions[s]?.id ?? '')?.id)).toEqual([
      expected[1],
      expected[2],
      expected[3],
    ]);
    expect(history.openAlerts.has(sessions[0]?.id ?? '')).toBe(false);
    // The first row of the ordered statement is the same alert.
    const rows = await openAlertsQuery(ctx.db, ids).execute();
    const firstRows = new Map<string, string>();
    for (const row of rows)
      if (!firstRows.has(row.session_id)) firstRows.set(row.session_id, row.id);
    expect(firstRows).toEqual(new Map([...history.openAlerts].map(([s, a]) => [s, a.id])));
    expect(toAlert(rows[0] as (typeof rows)[number]).status).toBe('open');
    // Session 1's latest hour, then the latest earlier hour with a number.
    expect(
      history.reports.get(sessions[1]?.id ?? '')?.map((r) => [r.hoursAfter, r.soreness]),
    ).toEqual([
      [1.1 + 2.2, 5],
      [6, null],
      [6, 3],
    ]);
    expect(history.reports.get(sessions[0]?.id ?? '')).toEqual([]);
    expect(history.reports.get('no-such-session')).toEqual([]);
  });

  it('on PostgreSQL it is one statement', async () => {
    if (ctx.dialect !== 'postgres') return; // SQLite: two statements, no round trip to save
    const { sessions } = await fixture();
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    try {
      await readCheckInHistory(
        ctx.db,
        sessions.map((s) => s.id),
      );
      expect(sent).toHaveBeenCalledTimes(1);
    } finally {
      sent.mockRestore();
    }
  });

  it('on PostgreSQL it also carries the audit head as committed (the group guesses from it)', async () => {
    const seeded = await seedSession(ctx.db);
    await appendAuditEvent(ctx.db, {
      at: FIXED_NOW,
      actorType: 'system',
      action: 'test.head',
      subjectType: 'test',
    });
    const history = await readCheckInHistory(ctx.db, [seeded.session.id]);
    if (ctx.dialect === 'postgres') {
      const [head] = await readAuditHeads(ctx.db);
      expect(head?.seq).toBeGreaterThan(0);
      expect(history.auditHead).toEqual({ seq: head?.seq, hash: head?.hash });
    } else {
      expect(history.auditHead).toBeUndefined();
    }
  });

  it('reads nothing for no sessions', async () => {
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    try {
      const history = await readCheckInHistory(ctx.db as Db, []);
      expect([history.reports.size, history.openAlerts.size]).toEqual([0, 0]);
      expect(sent).not.toHaveBeenCalled();
    } finally {
      sent.mockRestore();
    }
  });
});
