import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createLogger } from '../../src/api/logger.ts';
import { testConfig } from '../../src/api/test-support.ts';
import { seedSessionWithReminders, testClock } from '../../src/jobs/test-support.ts';
import { patientPagesPlugin } from '../../src/web/patient/patient-pages.plugin.ts';
import { describeEachDialect } from '../dialects.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Issue 12, finding 6: a ticked red flag is never lost to how its field was spelled. */
describeEachDialect('patient check-in form: symptom spellings', (ctx) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp({
      config: testConfig(),
      db: ctx.db,
      clock: testClock('2026-11-25T12:00:00.000Z'),
      logger: createLogger('silent'),
      plugins: [patientPagesPlugin],
    });
  });
  afterAll(async () => {
    await app.close();
  });

  const session = () =>
    seedSessionWithReminders(ctx.db, {
      performedAt: '2026-11-25T10:00:00.000Z',
      thoracic: true,
      language: 'en',
    });
  /** The check-in form as a browser without script sends it. */
  const sendForm = (token: string, payload: string) =>
    app.inject({ method: 'POST', url: `/p/${token}/check-in`, headers: FORM, payload });
  const checkIns = (sessionId: string) =>
    ctx.db
      .selectFrom('check_ins as c')
      .innerJoin('assessments as a', 'a.check_in_id', 'c.id')
      .select(['c.symptoms_json', 'a.disposition'])
      .where('c.session_id', '=', sessionId)
      .execute();

  it('symptoms[]=chest_pain is read as chest pain: stored, triaged emergency, the clinic alerted', async () => {
    for (const spelling of ['symptoms[]', 'symptoms%5B%5D', 'symptoms[0]']) {
      const s = await session();
      const res = await sendForm(s.token, `soreness=2&${spelling}=chest_pain&${spelling}=bruising`);
      expect(res.statusCode, spelling).toBe(303);
      const rows = await checkIns(s.session.id);
      expect(rows).toHaveLength(1);
      expect(JSON.parse(rows[0]?.symptoms_json ?? '[]')).toEqual(['chest_pain', 'bruising']);
      expect(rows[0]?.disposition).toBe('emergency');
      const alerts = await ctx.db
        .selectFrom('alerts')
        .select('severity')
        .where('session_id', '=', s.session.id)
        .execute();
      expect(alerts).toEqual([{ severity: 'emergency' }]);
    }
  });

  it('a symptom under a field name the form does not have is a 400 page saying so, nothing stored', async () => {
    const s = await session();
    for (const payload of ['soreness=2&symptom_list=chest_pain', 'soreness=2&sym=chest_pain']) {
      const res = await sendForm(s.token, payload);
      expect(res.statusCode, payload).toBe(400);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('We could not read some of the symptoms you sent');
      expect(res.body).toContain('href="tel:');
    }
    expect(await checkIns(s.session.id)).toHaveLength(0);
  });

  it("an unknown symptom code is refused in the page's language, nothing stored, no English left", async () => {
    // A Spanish-speaking patient of a clinic that offers Spanish.
    const s = await seedSessionWithReminders(ctx.db, {
      clinic: { languages: ['en', 'es'] },
      performedAt: '2026-11-25T10:00:00.000Z',
      thoracic: true,
      language: 'es',
    });
    const res = await sendForm(s.token, 'soreness=2&symptoms=chest_pain&symptoms=headache');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('No pudimos leer algunos de los síntomas');
    expect(res.body).toContain('href="tel:');
    // The core's English words for the API never reach the patient's page.
    expect(res.body).not.toMatch(/must be|symptoms\[\d\]/);
    expect(await checkIns(s.session.id)).toHaveLength(0);
  });

  it('a note sent twice keeps both parts and the red flag beside it: stored once, triaged emergency', async () => {
    const s = await session();
    const res = await sendForm(
      s.token,
      'symptoms=chest_pain&note=sharp+pain&note=since+this+morning',
    );
    expect(res.statusCode).toBe(303);
    const rows = await ctx.db
      .selectFrom('check_ins as c')
      .innerJoin('assessments as a', 'a.check_in_id', 'c.id')
      .select(['c.note', 'a.disposition'])
      .where('c.session_id', '=', s.session.id)
      .execute();
    expect(rows).toEqual([{ note: 'sharp pain\nsince this morning', disposition: 'emergency' }]);
  });
});
