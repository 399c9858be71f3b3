import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { holdElsewhere } from '../../../test/hold-elsewhere.ts';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../api/logger.ts';
import type { Browser, SeededClinic } from '../../api/test-support.ts';
import {
  countRows,
  createSession,
  seedClinic,
  signIn,
  T0,
  THORACIC_SITE,
  testConfig,
} from '../../api/test-support.ts';
import type { ManualClock } from '../../services/clock.ts';
import { manualClock } from '../../services/clock.ts';
import { updateClinicSettings } from '../../store/clinics.repository.ts';
import { PATIENT_CSP, patientPagesPlugin } from './patient-pages.plugin.ts';

describeEachDialect('patient pages', (ctx) => {
  let app: FastifyInstance;
  let clock: ManualClock;
  let clinic: SeededClinic;
  let prac: Browser;
  /** Staff sessions idle out after 30 min; the tests move the clock by hours. */
  const staff = async () => {
    prac = await signIn(app, clinic.practitionerEmail);
    return prac;
  };

  beforeAll(async () => {
    clock = manualClock(T0);
    app = await buildApp({
      config: testConfig(),
      db: ctx.db,
      clock,
      logger: createLogger('silent'),
      plugins: [patientPagesPlugin],
    });
    await app.ready();
    clinic = await seedClinic(ctx.db, 'Clínica Sol');
    await updateClinicSettings(ctx.db, clinic.clinicId, { languages: ['en', 'es'] });
  });
  afterAll(async () => {
    await app?.close();
  });

  const form = (fields: [string, string][]) => ({
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });

  it('opens the session page with the plan, advice, chart and emergency box, and secure headers', async () => {
    const s = await createSession(app, await staff(), { sites: [THORACIC_SITE] });
    const res = await app.inject({
      url: `/p/${s.token}`,
      headers: { 'accept-language': 'en-GB,en;q=0.9' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBe(PATIENT_CSP);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-robots-tag']).toBe('noindex, nofollow');
    expect(res.body).toContain('<html lang="en">');
    expect(res.body).toContain('href="tel:112"');
    expect(res.body).toContain('I have chest pain or can&#8217;t breathe');
    expect(res.body).toContain('Top of the shoulder (left)');
    expect(res.body).toMatch(/You were needled near your chest/);
    expect(res.body).toMatch(/Avoid hard training or heavy lifting until Friday 09:30/);
    expect(res.body).toContain('<svg class="chart"');
    expect(res.body).not.toContain('<script');
  });

  it("speaks the patient's recorded language in any browser until the patient switches, per link", async () => {
    const browser = await staff();
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      headers: browser.headers(),
      payload: { displayName: 'Lucía', language: 'es' },
    });
    const lucia = (created.json() as { id: string }).id;
    const s = await createSession(app, browser, { patientId: lucia });
    // The clinic's English browser prints her handout: Spanish.
    const handout = await app.inject({
      url: `/p/${s.token}/handout`,
      headers: { 'accept-language': 'en-GB,en;q=0.9' },
    });
    expect(handout.body).toContain('<html lang="es">');
    const es = await app.inject({ url: `/p/${s.token}`, headers: { 'accept-language': 'en-GB' } });
    expect(es.body).toContain('Sus cuidados después de la punción seca');
    // She switches to English: kept for her link only.
    const switched = await app.inject({
      url: `/p/${s.token}?lang=en`,
      headers: { 'accept-language': 'es' },
    });
    expect(switched.body).toContain('<html lang="en">');
    const cookie = switched.cookies.find((c) => c.name === 'nc_lang');
    expect(cookie).toMatchObject({ value: 'en', path: `/p/${s.token}` });
    const again = await app.inject({
      url: `/p/${s.token}/check-in`,
      headers: { 'accept-language': 'es', cookie: 'nc_lang=en' },
    });
    expect(again.body).toContain('How are you now?');
    // Another (English) patient's page in the same browser is not switched by her choice, and
    // a Spanish phone does not override his recorded English.
    const other = await createSession(app, browser);
    const his = await app.inject({
      url: `/p/${other.token}`,
      headers: { 'accept-language': 'es-ES,es;q=0.9' },
    });
    expect(his.body).toContain('<html lang="en">');
  });

  it('checks in through the form: stores once per key, redirects to the answer, alerts above self-care', async () => {
    const s = await createSession(app, await staff(), { sites: [THORACIC_SITE] });
    clock.advance(5 * 3_600_000);
    const page = await app.inject({ url: `/p/${s.token}/check-in` });
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    expect(key).not.toBe('');
    const fields: [string, string][] = [
      ['idempotencyKey', key],
      ['soreness', '3'],
      ['symptoms', 'dry_cough'],
      ['symptoms', 'bruising'],
      ['note', 'a bit of a cough'],
    ];
    const before = await countRows(ctx.db);
    const first = await app.inject({
      method: 'POST',
      url: `/p/${s.token}/check-in`,
      ...form(fields),
    });
    expect(first.statusCode).toBe(303);
    const retry = await app.inject({
      method: 'POST',
      url: `/p/${s.token}/check-in`,
      ...form(fields),
    });
    expect(retry.headers.location).toBe(first.headers.location);
    const after = await countRows(ctx.db);
    expect(after.check_ins - before.check_ins).toBe(1);
    expect(after.alerts - before.alerts).toBe(1);
    const answer = await app.inject({ url: String(first.headers.location) });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('Contact your practitioner or a doctor today');
    expect(answer.body).toMatch(/new dry cough/);
    // No staffed hours configured: no promise of when anyone reads it, and what to do first.
    expect(answer.body).toContain(
      'We have sent your answer to Clínica Sol, but we cannot tell you when',
    );
    expect(answer.body).not.toContain('should see your answer soon');
    expect(answer.body).toMatch(/First, today: phone Clínica Sol on <a class="tel" href="tel:/);
  });

  it('re-renders the form with a plain message when soreness is missing, storing nothing', async () => {
    const s = await createSession(app, await staff());
    const before = await countRows(ctx.db);
    const res = await app.inject({
      method: 'POST',
      url: `/p/${s.token}/check-in`,
      ...form([
        ['symptoms', 'bruising'],
        ['lang', 'es'],
      ]),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Elija un número del 0 al 10 para su dolor.');
    expect(res.body).toMatch(/value="bruising" checked/);
    expect(await countRows(ctx.db)).toEqual(before);
    const tampered = await app.inject({
      method: 'POST',
      url: `/p/${s.token}/check-in`,
      ...form([
        ['soreness', '4'],
        ['symptoms', 'itchy'],
      ]),
    });
    expect(tampered.statusCode).toBe(400);
    expect(await countRows(ctx.db)).toEqual(before);
  });

  it('a red flag without a number goes through the form: stored, emergency, alert, note kept clean', async () => {
    const s = await createSession(app, await staff(), { sites: [THORACIC_SITE] });
    clock.advance(3 * 3_600_000);
    const page = await app.inject({ url: `/p/${s.token}/check-in` });
    // Without JavaScript nothing in the page may stop the form being sent without a number.
    expect(page.body).not.toMatch(/name="soreness"[^>]*required/);
    expect(page.body).toContain('You do not need to choose a number.');
    const res = await app.inject({
      method: 'POST',
      url: `/p/${s.token}/check-in`,
      ...form([
        ['idempotencyKey', 'k-red-flag-1'],
        ['soreness', ''],
        ['symptoms', 'chest_pain'],
        ['note', 'it hurts\u0000 when I breathe in\u001b'],
      ]),
    });
    expect(res.statusCode).toBe(303);
    const answer = await app.inject({ url: res.headers.location as string });
    expect(answer.body).toContain('Call 112 now');
    const row = await ctx.db
      .selectFrom('check_ins as c')
      .innerJoin('assessments as a', 'a.check_in_id', 'c.id')
      .innerJoin('alerts as l', 'l.assessment_id', 'a.id')
      .select(['c.soreness', 'c.note', 'a.disposition', 'l.severity'])
      .where('c.session_id', '=', s.sessionId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      soreness: null,
      note: 'it hurts when I breathe in',
      disposition: 'emergency',
      severity: 'emergency',
    });
  });

  it('the emergency button on a link replaced less than 24 hours ago records and answers the emergency', async () => {
    const s = await createSession(app, await staff(), { sites: [THORACIC_SITE] });
    const reissue = await app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${s.sessionId}/link`,
      headers: prac.headers(),
    });
    expect(reissue.statusCode).toBe(201);
    clock.advance(20 * 3_600_000);
    expect((await app.inject({ url: `/p/${s.token}` })).statusCode).toBe(410);
    const res = await app.inject({ method: 'POST', url: `/p/${s.token}/emergency`, ...form([]) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Call 112 now');
    const stored = await ctx.db
      .selectFrom('check_ins')
      .select('source')
      .where('session_id', '=', s.sessionId)
      .execute();
    expect(stored).toEqual([{ source: 'emergency_button' }]);
  });

  it('the emergency button records a chest-pain report and shows what to do', async () => {
    const s = await createSession(app, await staff(), { sites: [THORACIC_SITE] });
    const res = await app.inject({
      method: 'POST',
      url: `/p/${s.token}/emergency`,
      ...form([['lang', 'en']]),
    });
    expect(res.statusCode).toBe(303);
    const page = await app.inject({ url: String(res.headers.location) });
    expect(page.body).toContain('Call 112 now');
    expect(page.body).toMatch(/collapsed lung/);
    const alerts = await app.inject({ url: '/api/v1/alerts', headers: prac.headers(false) });
    const { items } = alerts.json() as { items: { sessionId: string; severity: string }[] };
    expect(items.find((a) => a.sessionId === s.sessionId)?.severity).toBe('emergency');
  });

  it('reminds the patient of an earlier unacknowledged urgent answer', async () => {
    const s = await createSession(app, await staff());
    clock.advance(3_600_000);
    await app.inject({
      method: 'POST',
      url: `/p/${s.token}/check-in`,
      ...form([
        ['soreness', '2'],
        ['symptoms', 'fever'],
      ]),
    });
    clock.advance(3_600_000);
    const calm = await app.inject({
      method: 'POST',
      url: `/p/${s.token}/check-in`,
      ...form([['soreness', '2']]),
    });
    const page = await app.inject({ url: String(calm.headers.location) });
    // One calm message that says both things, led by what still has to be done; no green
    // "expected" box followed by a red reminder.
    expect(page.body).toContain(
      'This report looks as expected, but your earlier one still needs action',
    );
    expect(page.body).toContain('Contact your practitioner or a doctor today.');
    expect(page.body).toMatch(/First, today: phone/);
    expect(page.body).not.toContain('class="answer self_care"');
    expect(page.body.match(/<section class="answer/g)).toHaveLength(1);
  });

  it('after an unanswered emergency, a report of infection signs is never called expected (en, es)', async () => {
    for (const lang of ['en', 'es'] as const) {
      const s = await createSession(app, await staff(), { sites: [THORACIC_SITE] });
      clock.advance(3_600_000);
      await app.inject({
        method: 'POST',
        url: `/p/${s.token}/check-in`,
        ...form([
          ['lang', lang],
          ['symptoms', 'chest_pain'],
        ]),
      });
      clock.advance(3_600_000);
      const later = await app.inject({
        method: 'POST',
        url: `/p/${s.token}/check-in`,
        ...form([
          ['lang', lang],
          ['soreness', '2'],
          ['symptoms', 'spreading_redness'],
          ['symptoms', 'fever'],
        ]),
      });
      const location = String(later.headers.location);
      const url = `${location}${location.includes('?') ? '&' : '?'}lang=${lang}`;
      const page = (await app.inject({ url })).body;
      if (lang === 'en') {
        expect(page).toContain('Your earlier report still needs action, and this one needs it too');
        expect(page).toContain(
          'What you sent now needs this too: Contact your practitioner or a doctor today.',
        );
        expect(page).toContain('Call 112');
        expect(page).toMatch(/Also today: phone/);
        expect(page).not.toMatch(/looks as expected|usual course/);
      } else {
        expect(page).toContain('Su aviso anterior aún necesita que actúe, y este también');
        expect(page).toContain('Contacte hoy con su fisioterapeuta o con un médico.');
        expect(page).toMatch(/También hoy: llame a/);
        expect(page).not.toMatch(/es el esperado|lo habitual/);
      }
      // The call comes before the clinic's phone: the emergency is what to do first.
      expect(page.indexOf('class="btn danger"')).toBeLessThan(
        page.indexOf(lang === 'en' ? 'Also today' : 'También hoy'),
      );
      expect(page.match(/<section class="answer/g)).toHaveLength(1);
    }
  });

  it('after an urgent answer the care page opens with what to do, not with what is normal', async () => {
    const s = await createSession(app, await staff());
    clock.advance(3_600_000);
    await app.inject({
      method: 'POST',
      url: `/p/${s.token}/check-in`,
      ...form([
        ['soreness', '2'],
        ['symptoms', 'fever'],
      ]),
    });
    const page = await app.inject({ url: `/p/${s.token}` });
    const action = page.body.indexOf('Your last report needs you to act');
    expect(action).toBeGreaterThan(0);
    expect(action).toBeLessThan(page.body.indexOf('What is normal'));
    expect(page.body.indexOf('First, today: phone')).toBeLessThan(
      page.body.indexOf('What is normal'),
    );
  });

  it('an answer above self-care says someone will see it soon only while the clinic is staffed', async () => {
    const s = await createSession(app, await staff());
    const allDay = [['00:00', '24:00']] as [string, string][];
    await updateClinicSettings(ctx.db, clinic.clinicId, {
      coverage: {
        sun: allDay,
        mon: allDay,
        tue: allDay,
        wed: allDay,
        thu: allDay,
        fri: allDay,
        sat: allDay,
      },
    });
    try {
      clock.advance(3_600_000);
      const res = await app.inject({
        method: 'POST',
        url: `/p/${s.token}/check-in`,
        ...form([
          ['soreness', '2'],
          ['symptoms', 'fever'],
        ]),
      });
      const page = await app.inject({ url: String(res.headers.location) });
      expect(page.body).toContain('We have told Clínica Sol. It is open now');
      // What to do comes before who was told.
      expect(page.body.indexOf('First, today')).toBeLessThan(page.body.indexOf('We have told'));
    } finally {
      await updateClinicSettings(ctx.db, clinic.clinicId, { coverage: {} });
    }
  });

  it('an emergency answer names the number, shows no next check-in, and self-care has its advice below', async () => {
    const s = await createSession(app, await staff(), { sites: [THORACIC_SITE] });
    clock.advance(3_600_000);
    const res = await app.inject({
      method: 'POST',
      url: `/p/${s.token}/check-in`,
      ...form([['symptoms', 'shortness_of_breath']]),
    });
    const page = await app.inject({ url: String(res.headers.location) });
    expect(page.body).toContain('<h1 id="answer-title">Call 112 now</h1>');
    expect(page.body).not.toMatch(/Next check-in|No more check-ins/);
    const other = await createSession(app, await staff());
    clock.advance(3_600_000);
    const calm = await app.inject({
      method: 'POST',
      url: `/p/${other.token}/check-in`,
      ...form([['soreness', '3']]),
    });
    const answer = await app.inject({ url: String(calm.headers.location) });
    expect(answer.body).toContain('Look after yourself with the advice below.');
    // The advice comes after every mention of it ("the advice below").
    const lastMention = answer.body.lastIndexOf('below');
    expect(lastMention).toBeGreaterThan(0);
    expect(answer.body.indexOf('<ul class="advice"><li>')).toBeGreaterThan(lastMention);
  });

  it('says plainly when the clinic is closed and where to go instead', async () => {
    const s = await createSession(app, await staff());
    await updateClinicSettings(ctx.db, clinic.clinicId, {
      coverage: { mon: [['08:00', '09:00']] },
      escalation: { afterHoursPhone: '+34 900 111 222' },
    });
    try {
      clock.advance(3_600_000);
      const res = await app.inject({
        method: 'POST',
        url: `/p/${s.token}/check-in`,
        ...form([
          ['soreness', '2'],
          ['symptoms', 'fever'],
        ]),
      });
      const page = await app.inject({ url: String(res.headers.location) });
      expect(page.body).toMatch(/is closed now/);
      expect(page.body).toContain('+34 900 111 222');
      expect(page.body).toContain('112');
    } finally {
      await updateClinicSettings(ctx.db, clinic.clinicId, { coverage: {}, escalation: {} });
    }
  });

  it('prints a handout with a QR code of the link, red flags and the emergency number', async () => {
    const s = await createSession(app, await staff());
    const res = await app.inject({ url: `/p/${s.token}/handout` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(
      /<svg role="img" aria-label="Scan to open your care page and check in:"/,
    );
    expect(res.body).toContain(`https://care.example.test/p/${s.token}`);
    expect(res.body).toContain('Call <a href="tel:112">112</a> straight away if you have:');
    // The clinic's phone once: the handout says it itself, without the pages' footer.
    expect(res.body.match(/Questions\? Call /g)).toHaveLength(1);
  });

  it('an unknown, revoked or expired link shows a friendly page with no patient data', async () => {
    const unknown = await app.inject({ url: '/p/not-a-real-token' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('This link no longer works');
    const s = await createSession(app, await staff());
    const revoke = await app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${s.sessionId}/link/revoke`,
      headers: prac.headers(),
    });
    expect(revoke.statusCode).toBeLessThan(300);
    const gone = await app.inject({ url: `/p/${s.token}`, headers: { 'accept-language': 'es' } });
    expect(gone.statusCode).toBe(410);
    expect(gone.body).toContain('Este enlace ya no funciona');
    expect(gone.body).toContain('Clínica Sol');
    expect(gone.body).not.toContain('Test Patient');
    const post = await app.inject({
      method: 'POST',
      url: `/p/${s.token}/check-in`,
      ...form([['soreness', '4']]),
    });
    expect(post.statusCode).toBe(410);
  });

  it('on PostgreSQL a link withdrawn while its check-in waits for the session shows the link-gone page, and stores nothing', async () => {
    // SQLite's handle here waits for the write lock on the event loop's thread, so no other
    // writer can commit in between; the check under the lock is tested on both dialects in
    // src/services/remembered-links.int.test.ts.
    if (ctx.dialect !== 'postgres') return;
    const s = await createSession(app, await staff());
    // Another writer withdraws the link and holds the session's row lock until it commits.
    // The form's door has already read the link.
    const release = await holdElsewhere(ctx, async (trx) => {
      await sql`select id from needling_sessions where id = ${s.sessionId} for update`.execute(trx);
      await trx
        .updateTable('patient_links')
        .set({ revoked_at: clock.now().toISOString() })
        .where('session_id', '=', s.sessionId)
        .execute();
    });
    const before = await countRows(ctx.db);
    const post = app.inject({
      method: 'POST',
      url: `/p/${s.token}/check-in`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'accept-language': 'es',
      },
      payload: new URLSearchParams([
        ['soreness', '4'],
        ['idempotencyKey', 'withdrawn-while-waiting'],
      ]).toString(),
    });
    // Until the check-in waits for the session's lock: the door has read the link by then.
    let waiting = 0;
    for (let i = 0; i < 200 && waiting === 0; i += 1) {
      await new Promise((r) => setTimeout(r, 25));
      const { rows } = await sql<{ n: string }>`select count(*) as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(ctx.db);
      waiting = Number(rows[0]?.n ?? 0);
    }
    expect(waiting).toBe(1);
    await release();
    const res = await post;
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('Este enlace ya no funciona');
    expect(res.body).toContain('Clínica Sol');
    expect(await countRows(ctx.db)).toEqual(before);
  });

  it('leaves an audit event for every page read', async () => {
    const s = await createSession(app, await staff());
    await app.inject({ url: `/p/${s.token}` });
    const rows = await ctx.db
      .selectFrom('audit_events')
      .select(['action', 'subject_id'])
      .where('action', '=', 'patient_page.session.read')
      .where('subject_id', '=', s.sessionId)
      .execute();
    expect(rows).toHaveLength(1);
  });
});

describe('patient stylesheet', () => {
  it('is small', async () => {
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(new URL('./patient.css', import.meta.url), 'utf8').length).toBeLessThan(
      6000,
    );
  });
});
