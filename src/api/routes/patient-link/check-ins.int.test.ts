import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/dialects.ts';
import { HOUR_MS } from '../../../services/clock.ts';
import {
  auditActions,
  countRows,
  createSession,
  LEG_SITE,
  makeWorld,
  THORACIC_SITE,
  type World,
} from '../../test-support.ts';

interface CheckInBody {
  checkIn: { id: string; hoursAfter: number; source: string };
  assessment: {
    disposition: string;
    ruleIds: string[];
    rules: { id: string; patientText: { en: string } }[];
    rulebookVersion: string;
    phase: string;
    expectedBand: { max: number };
  };
  openAlert: { id: string; severity: string; status: string } | null;
  clinic: { emergencyNumber: string };
}

describeEachDialect('patient link: check-ins', (ctx) => {
  let w: World;
  beforeAll(async () => {
    // Long staff sessions: these tests move the clock by days.
    w = await makeWorld(ctx.db, { sessionIdleMinutes: 60 * 24 * 30, sessionTtlHours: 24 * 30 });
  });

  /** Record a session half an hour after it was performed (the clock follows). */
  function newSession(options: { performedAt?: string; sites?: readonly object[] } = {}) {
    const performedAt = options.performedAt ?? '2026-11-25T08:30:00.000Z';
    w.clock.set(new Date(Date.parse(performedAt) + HOUR_MS / 2));
    return createSession(w.app, w.pracA, { ...options, performedAt });
  }

  function checkIn(token: string, payload: object, key?: string) {
    return w.app.inject({
      method: 'POST',
      url: `/api/v1/p/${token}/check-ins`,
      payload,
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });
  }

  it('triages a check-in at the hour given by the clock and stores check-in, assessment and audit event', async () => {
    const s = await newSession({ performedAt: '2026-11-25T08:30:00.000Z' });
    w.clock.set('2026-11-26T08:30:00.000Z');
    const res = await checkIn(s.token, { soreness: 4, symptoms: ['tenderness'] });
    expect(res.statusCode).toBe(201);
    const body = res.json() as CheckInBody;
    expect(body.checkIn.hoursAfter).toBe(24);
    expect(body.assessment).toMatchObject({
      disposition: 'self_care',
      ruleIds: ['expected_course'],
      rulebookVersion: '1.1.0',
      phase: 'peak',
    });
    expect(body.assessment.rules[0]?.patientText.en.length).toBeGreaterThan(10);
    expect(body.openAlert).toBeNull();
    const rows = await ctx.db
      .selectFrom('check_ins')
      .selectAll()
      .where('session_id', '=', s.sessionId)
      .execute();
    expect(rows).toHaveLength(1);
    const audit = await auditActions(ctx.db, 'check_in.create');
    expect(audit[0]).toMatchObject({
      subjectId: body.checkIn.id,
      actorType: 'patient_link',
      actorId: s.linkId,
    });
    expect(JSON.parse(audit[0]?.details ?? '{}')).toMatchObject({
      patientId: s.patientId,
      disposition: 'self_care',
    });
  });

  it('opens an alert above self-care with the mapped severity', async () => {
    const s = await newSession({ performedAt: '2026-11-26T08:30:00.000Z' });
    w.clock.set('2026-11-26T20:30:00.000Z');
    const res = await checkIn(s.token, { soreness: 3, symptoms: ['fever'] });
    const body = res.json() as CheckInBody;
    expect(body.assessment.disposition).toBe('urgent_same_day');
    expect(body.openAlert).toMatchObject({ severity: 'urgent', status: 'open' });
    const alerts = await ctx.db
      .selectFrom('alerts')
      .selectAll()
      .where('session_id', '=', s.sessionId)
      .execute();
    expect(alerts).toHaveLength(1);
  });

  it('never downgrades: emergency then self-care keeps the alert open at emergency', async () => {
    const s = await newSession({ performedAt: '2026-11-26T08:30:00.000Z', sites: [THORACIC_SITE] });
    w.clock.set('2026-11-26T12:30:00.000Z');
    const first = (
      await checkIn(s.token, { soreness: 2, symptoms: ['shortness_of_breath'] })
    ).json() as CheckInBody;
    expect(first.assessment.disposition).toBe('emergency');
    expect(first.openAlert?.severity).toBe('emergency');
    w.clock.set('2026-11-27T08:30:00.000Z');
    const second = (await checkIn(s.token, { soreness: 1, symptoms: [] })).json() as CheckInBody;
    expect(second.assessment.disposition).toBe('self_care');
    expect(second.openAlert).toMatchObject({
      id: first.openAlert?.id,
      severity: 'emergency',
      status: 'open',
    });
    const alerts = await ctx.db
      .selectFrom('alerts')
      .selectAll()
      .where('session_id', '=', s.sessionId)
      .execute();
    expect(alerts.map((a) => [a.severity, a.status])).toEqual([['emergency', 'open']]);
  });

  it('raises an open routine alert to urgent instead of adding a second one', async () => {
    const s = await newSession({ performedAt: '2026-11-26T08:30:00.000Z' });
    w.clock.set('2026-11-26T20:30:00.000Z');
    const first = (await checkIn(s.token, { soreness: 8, symptoms: [] })).json() as CheckInBody;
    expect(first.openAlert?.severity).toBe('routine');
    w.clock.set('2026-11-27T08:30:00.000Z');
    const second = (
      await checkIn(s.token, { soreness: 5, symptoms: ['discharge'] })
    ).json() as CheckInBody;
    expect(second.openAlert).toMatchObject({ id: first.openAlert?.id, severity: 'urgent' });
    const alerts = await ctx.db
      .selectFrom('alerts')
      .selectAll()
      .where('session_id', '=', s.sessionId)
      .execute();
    expect(alerts).toHaveLength(1);
    expect(await auditActions(ctx.db, 'alert.raise')).not.toHaveLength(0);
  });

  it('uses earlier check-ins as history (worsening pain after 48 h is urgent)', async () => {
    const s = await newSession({ performedAt: '2026-11-20T08:00:00.000Z' });
    w.clock.set('2026-11-22T07:00:00.000Z');
    await checkIn(s.token, { soreness: 3, symptoms: [] });
    w.clock.set('2026-11-23T08:00:00.000Z');
    const body = (await checkIn(s.token, { soreness: 6, symptoms: [] })).json() as CheckInBody;
    expect(body.assessment.ruleIds).toContain('pain_worsening');
    expect(body.assessment.disposition).toBe('urgent_same_day');
  });

  describe('Idempotency-Key', () => {
    it('a retry with the same key returns the first answer and stores nothing new', async () => {
      const s = await newSession({ performedAt: '2026-11-26T08:30:00.000Z' });
      w.clock.set('2026-11-26T20:30:00.000Z');
      const first = await checkIn(s.token, { soreness: 8, symptoms: ['fever'] }, 'retry-1');
      const before = await countRows(ctx.db);
      w.clock.advance(HOUR_MS);
      const again = await checkIn(s.token, { soreness: 8, symptoms: ['fever'] }, 'retry-1');
      expect(again.statusCode).toBe(first.statusCode);
      expect(again.json()).toEqual(first.json());
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(await countRows(ctx.db)).toEqual(before);
    });

    it('the same key with a different body is a 422 problem and stores nothing', async () => {
      const s = await newSession({ performedAt: '2026-11-26T08:30:00.000Z' });
      w.clock.set('2026-11-26T20:30:00.000Z');
      await checkIn(s.token, { soreness: 2, symptoms: [] }, 'retry-2');
      const before = await countRows(ctx.db);
      const res = await checkIn(s.token, { soreness: 9, symptoms: [] }, 'retry-2');
      expect(res.statusCode).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({
        code: 'idempotency_key_reused',
        errors: [{ field: 'headers.idempotency-key' }],
      });
      expect(await countRows(ctx.db)).toEqual(before);
    });

    it('concurrent requests with one key store one check-in', async () => {
      const s = await newSession({ performedAt: '2026-11-26T08:30:00.000Z' });
      w.clock.set('2026-11-26T20:30:00.000Z');
      const results = await Promise.all(
        [1, 2, 3, 4].map(() => checkIn(s.token, { soreness: 5, symptoms: [] }, 'race-1')),
      );
      expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
      const ids = new Set(results.map((r) => (r.json() as CheckInBody).checkIn.id));
      expect(ids.size).toBe(1);
      const rows = await ctx.db
        .selectFrom('check_ins')
        .selectAll()
        .where('session_id', '=', s.sessionId)
        .execute();
      expect(rows).toHaveLength(1);
    });

    it('the same key on two different sessions is two check-ins', async () => {
      const s1 = await newSession({ performedAt: '2026-11-26T08:30:00.000Z' });
      const s2 = await newSession({ performedAt: '2026-11-26T08:30:00.000Z' });
      w.clock.set('2026-11-26T20:30:00.000Z');
      const r1 = await checkIn(s1.token, { soreness: 1, symptoms: [] }, 'shared');
      const r2 = await checkIn(s2.token, { soreness: 1, symptoms: [] }, 'shared');
      expect((r1.json() as CheckInBody).checkIn.id).not.toBe((r2.json() as CheckInBody).checkIn.id);
    });
  });

  it('concurrent check-ins of one session open one alert, raised to the highest', async () => {
    const s = await newSession({ performedAt: '2026-11-26T08:30:00.000Z' });
    w.clock.set('2026-11-26T20:30:00.000Z');
    const bodies = [
      { soreness: 8, symptoms: [] },
      { soreness: 2, symptoms: ['fever'] },
      { soreness: 2, symptoms: ['chest_pain'] },
      { soreness: 8, symptoms: ['discharge'] },
      { soreness: 1, symptoms: [] },
    ];
    const results = await Promise.all(bodies.map((b) => checkIn(s.token, b)));
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
    const alerts = await ctx.db
      .selectFrom('alerts')
      .selectAll()
      .where('session_id', '=', s.sessionId)
      .execute();
    expect(alerts.map((a) => [a.severity, a.status])).toEqual([['emergency', 'open']]);
    const checkIns = await ctx.db
      .selectFrom('check_ins')
      .selectAll()
      .where('session_id', '=', s.sessionId)
      .execute();
    expect(checkIns).toHaveLength(5);
  });

  describe('emergency button', () => {
    it('stores a chest-pain check-in from the button and answers emergency with the number', async () => {
      const s = await newSession({ performedAt: '2026-11-26T08:30:00.000Z', sites: [LEG_SITE] });
      w.clock.set('2026-11-26T10:30:00.000Z');
      await checkIn(s.token, { soreness: 4, symptoms: [] });
      const res = await w.app.inject({ method: 'POST', url: `/api/v1/p/${s.token}/emergency` });
      expect(res.statusCode).toBe(201);
      const body = res.json() as CheckInBody;
      expect(body.checkIn.source).toBe('emergency_button');
      expect(body.assessment.disposition).toBe('emergency');
      expect(body.clinic.emergencyNumber).toBe('112');
      expect(body.openAlert?.severity).toBe('emergency');
      const row = await ctx.db
        .selectFrom('check_ins')
        .selectAll()
        .where('id', '=', body.checkIn.id)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(row.symptoms_json)).toEqual(['chest_pain']);
      // Soreness was not asked: none is stored (RULES.md v1.1), never a carried-over number.
      expect(row.soreness).toBeNull();
      expect(await auditActions(ctx.db, 'check_in.emergency')).not.toHaveLength(0);
    });

    it('never refuses: any body, any content type, broken JSON, a reused key', async () => {
      const s = await newSession();
      w.clock.set('2026-11-25T10:30:00.000Z');
      await checkIn(s.token, { soreness: 2, symptoms: [] }, 'key-1');
      const bodies: { payload: string; type?: string }[] = [
        { payload: '{}', type: 'application/json' },
        { payload: '{"soreness": 3}', type: 'application/json' },
        { payload: '{not json', type: 'application/json' },
        { payload: 'x=1&y=\u0000', type: 'application/x-www-form-urlencoded' },
        { payload: 'hello', type: 'text/plain' },
        { payload: '\u0000\u0001', type: 'application/octet-stream' },
        { payload: 'x'.repeat(2_000_000), type: 'application/json' },
      ];
      for (const [i, b] of bodies.entries()) {
        const res = await w.app.inject({
          method: 'POST',
          url: `/api/v1/p/${s.token}/emergency`,
          payload: b.payload,
          headers: {
            ...(b.type === undefined ? {} : { 'content-type': b.type }),
            // The first uses the key of the earlier check-in; the others a key of their own.
            'idempotency-key': i === 0 ? 'key-1' : `e-${i}`,
          },
        });
        expect([i, res.statusCode]).toEqual([i, 201]);
        expect((res.json() as CheckInBody).assessment.disposition).toBe('emergency');
      }
      const stored = await ctx.db
        .selectFrom('check_ins')
        .select('id')
        .where('session_id', '=', s.sessionId)
        .where('source', '=', 'emergency_button')
        .execute();
      expect(stored).toHaveLength(bodies.length);
    });

    it('a repeated key replays the one recorded emergency', async () => {
      const s = await newSession();
      w.clock.set('2026-11-25T10:30:00.000Z');
      const press = () =>
        w.app.inject({
          method: 'POST',
          url: `/api/v1/p/${s.token}/emergency`,
          headers: { 'idempotency-key': 'press-1' },
        });
      const first = (await press()).json() as CheckInBody;
      const again = await press();
      expect(again.statusCode).toBe(201);
      expect((again.json() as CheckInBody).checkIn.id).toBe(first.checkIn.id);
    });

    it('a link revoked within the grace period still records the emergency; after it, 410', async () => {
      const s = await newSession({ performedAt: '2026-11-26T08:30:00.000Z' });
      w.clock.set('2026-11-26T10:30:00.000Z');
      await w.app.inject({
        method: 'POST',
        url: `/api/v1/sessions/${s.sessionId}/link`,
        headers: w.pracA.headers(),
      });
      w.clock.set('2026-11-27T10:29:00.000Z'); // 23 h 59 min after the old link was replaced
      const recent = await w.app.inject({ method: 'POST', url: `/api/v1/p/${s.token}/emergency` });
      expect(recent.statusCode).toBe(201);
      expect((recent.json() as CheckInBody).openAlert?.severity).toBe('emergency');
      // An ordinary check-in on that old link is still refused: the grace is for the button.
      expect((await checkIn(s.token, { soreness: 1, symptoms: [] })).statusCode).toBe(410);
      w.clock.set('2026-11-27T10:31:00.000Z');
      const late = await w.app.inject({ method: 'POST', url: `/api/v1/p/${s.token}/emergency` });
      expect(late.statusCode).toBe(410);
    });
  });

  describe('a red flag is never stopped (issue 10)', () => {
    it('chest pain without a soreness number is stored, triaged emergency and alerts the clinic', async () => {
      const s = await newSession({ sites: [THORACIC_SITE] });
      w.clock.set('2026-11-25T12:30:00.000Z');
      const res = await checkIn(s.token, { symptoms: ['chest_pain'] });
      expect(res.statusCode).toBe(201);
      const body = res.json() as CheckInBody & { checkIn: { soreness: number | null } };
      expect(body.checkIn.soreness).toBeNull();
      expect(body.assessment.disposition).toBe('emergency');
      expect(body.openAlert).toMatchObject({ severity: 'emergency', status: 'open' });
      const row = await ctx.db
        .selectFrom('check_ins')
        .select(['soreness'])
        .where('id', '=', body.checkIn.id)
        .executeTakeFirstOrThrow();
      expect(row.soreness).toBeNull();
      const view = await w.app.inject({ method: 'GET', url: `/api/v1/p/${s.token}` });
      expect(view.statusCode).toBe(200);
      // An explicit null is the same report.
      const again = await checkIn(s.token, { soreness: null, symptoms: ['shortness_of_breath'] });
      expect(again.statusCode).toBe(201);
    });

    it('without a red flag a missing number is refused, naming soreness, and nothing is stored', async () => {
      const s = await newSession();
      const before = await countRows(ctx.db);
      const res = await checkIn(s.token, { symptoms: ['tenderness'] });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ errors: [{ field: 'soreness' }] });
      expect(await countRows(ctx.db)).toEqual(before);
    });

    it('a NUL or other control character in the note never costs the report (both dialects)', async () => {
      const s = await newSession({ sites: [THORACIC_SITE] });
      w.clock.set('2026-11-25T12:30:00.000Z');
      const note = `  sharp pain\u0000 when I breathe\u0007\r\nsince lunch ${'x'.repeat(3000)}`;
      const res = await checkIn(s.token, { symptoms: ['chest_pain'], note });
      expect(res.statusCode).toBe(201);
      expect((res.json() as CheckInBody).assessment.disposition).toBe('emergency');
      const row = await ctx.db
        .selectFrom('check_ins')
        .select(['note'])
        .where('session_id', '=', s.sessionId)
        .executeTakeFirstOrThrow();
      expect(row.note?.startsWith('sharp pain when I breathe\nsince lunch x')).toBe(true);
      expect(row.note).toHaveLength(1000);
    });
  });

  describe('the patient view', () => {
    it('shows what was done, the plan, check-ins and assessments, and no names', async () => {
      const s = await newSession({
        performedAt: '2026-11-26T08:30:00.000Z',
        sites: [THORACIC_SITE],
      });
      w.clock.set('2026-11-26T12:30:00.000Z');
      await checkIn(s.token, { soreness: 3, symptoms: ['bruising'], note: 'my private note' });
      const res = await w.app.inject({ method: 'GET', url: `/api/v1/p/${s.token}` });
      expect(res.statusCode).toBe(200);
      const body = res.json() as {
        session: { thoracic: boolean; sites: { muscle: string }[] };
        plan: { checkIns: { hoursAfter: number }[] };
        checkIns: { assessment: { disposition: string } }[];
        clinic: { emergencyNumber: string };
      };
      expect(body.session.thoracic).toBe(true);
      expect(body.session.sites[0]?.muscle).toBe('upper-trapezius');
      expect(body.plan.checkIns[0]?.hoursAfter).toBe(2);
      expect(body.checkIns[0]?.assessment.disposition).toBe('self_care');
      expect(res.body).not.toContain('Test Patient');
      expect(res.body).not.toContain('p@example.test');
      expect(res.body).not.toContain('my private note');
      const audit = await auditActions(ctx.db, 'patient_link.read');
      expect(audit[0]).toMatchObject({ subjectId: s.sessionId, actorType: 'patient_link' });
    });

    it('an expired link answers 410 and stores nothing', async () => {
      const s = await newSession({ performedAt: '2026-11-26T08:30:00.000Z' });
      w.clock.set('2026-12-10T08:30:00.001Z'); // 14 days + 1 ms
      const before = await countRows(ctx.db);
      const read = await w.app.inject({ method: 'GET', url: `/api/v1/p/${s.token}` });
      const write = await checkIn(s.token, { soreness: 1, symptoms: [] });
      expect([read.statusCode, write.statusCode]).toEqual([410, 410]);
      expect(read.headers['content-type']).toContain('application/problem+json');
      expect(read.body).not.toContain(s.sessionId);
      expect(await countRows(ctx.db)).toEqual(before);
    });

    it('a revoked link answers 410; a re-issued one works and the old one stays dead', async () => {
      const s = await newSession({ performedAt: '2026-11-26T08:30:00.000Z' });
      w.clock.set('2026-11-26T10:30:00.000Z');
      const revoke = await w.app.inject({
        method: 'POST',
        url: `/api/v1/sessions/${s.sessionId}/link/revoke`,
        headers: w.pracA.headers(),
      });
      expect(revoke.json()).toEqual({ revoked: 1 });
      expect((await w.app.inject({ method: 'GET', url: `/api/v1/p/${s.token}` })).statusCode).toBe(
        410,
      );
      const reissue = await w.app.inject({
        method: 'POST',
        url: `/api/v1/sessions/${s.sessionId}/link`,
        headers: w.pracA.headers(),
      });
      expect(reissue.statusCode).toBe(201);
      const token = (reissue.json() as { link: { url: string } }).link.url.split('/p/')[1];
      expect((await w.app.inject({ method: 'GET', url: `/api/v1/p/${token}` })).statusCode).toBe(
        200,
      );
      expect((await w.app.inject({ method: 'GET', url: `/api/v1/p/${s.token}` })).statusCode).toBe(
        410,
      );
    });

    it('a link revoked after a check-in through it answers 410 to the next one and stores nothing', async () => {
      // The first check-in leaves the link remembered (decision 1443): the second is refused
      // under the session's lock, not at the door, with the same answer.
      const s = await newSession({ performedAt: '2026-11-26T08:30:00.000Z' });
      w.clock.set('2026-11-26T10:30:00.000Z');
      expect((await checkIn(s.token, { soreness: 2, symptoms: [] })).statusCode).toBe(201);
      const revoke = await w.app.inject({
        method: 'POST',
        url: `/api/v1/sessions/${s.sessionId}/link/revoke`,
        headers: w.pracA.headers(),
      });
      expect(revoke.json()).toEqual({ revoked: 1 });
      const before = await countRows(ctx.db);
      const refused = await checkIn(s.token, { soreness: 9, symptoms: ['fever'] });
      expect(refused.statusCode).toBe(410);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json()).toMatchObject({ code: 'link_gone' });
      expect(refused.body).not.toContain(s.sessionId);
      expect(await countRows(ctx.db)).toEqual(before);
      // And so is every later one, now at the door.
      expect((await checkIn(s.token, { soreness: 9, symptoms: ['fever'] })).statusCode).toBe(410);
    });

    it('an unknown token answers 404 without detail', async () => {
      const res = await w.app.inject({ method: 'GET', url: `/api/v1/p/${'x'.repeat(43)}` });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'not_found' });
    });
  });
});
