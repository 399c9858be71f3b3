import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import {
  type Browser,
  countRows,
  createSession,
  LEG_SITE,
  type SeededClinic,
  seedClinic,
  signIn,
} from '../../api/test-support.ts';
import { dashboardTestApp } from './test-support.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Names the shared check refuses (src/services/text.ts): CR/LF, control, bidi override. */
const BAD_NAMES = ['Rosa\r\nBcc: victim@example.test', 'Rosa\u0007', 'Rosa\u202eanitniuQ'];

/**
 * Issue 12, finding 6 (decision 1122): every dashboard form that takes a name — record a session
 * (quick add), edit a patient, invite staff, the clinic's settings — refuses a name the shared
 * check refuses, shows the form again saying why, and stores nothing.
 */
describeEachDialect('dashboard: names', (ctx) => {
  let app: FastifyInstance;
  let clinic: SeededClinic;
  let prac: Browser;
  let admin: Browser;
  let patientId = '';

  beforeAll(async () => {
    app = await dashboardTestApp(ctx.db);
    clinic = await seedClinic(ctx.db, 'Names Clinic');
    prac = await signIn(app, clinic.practitionerEmail);
    admin = await signIn(app, clinic.adminEmail);
    patientId = (await createSession(app, prac, { sites: [LEG_SITE] })).patientId;
  });
  afterAll(async () => {
    await app.close();
  });

  const post = (url: string, who: Browser, fields: Record<string, string | string[]>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...fields, _csrf: who.csrf }))
      for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
    return app.inject({
      method: 'POST',
      url,
      headers: { ...FORM, cookie: who.cookie },
      payload: p.toString(),
    });
  };

  const doors = (name: string): [string, Browser, Record<string, string | string[]>][] => [
    [
      '/app/sessions',
      prac,
      {
        patientId: 'new',
        displayName: name,
        phone: '+34 600 000 444',
        performedAt: '2026-11-25T09:50',
        site: 'deltoid:left',
        recordKey: `names-${Math.random().toString(36).slice(2, 10)}`,
      },
    ],
    [
      `/app/patients/${patientId}/record`,
      prac,
      { displayName: name, phone: '+34 600 000 445', email: '', language: 'en' },
    ],
    ['/app/clinic/staff', admin, { email: 'invitee@example.test', displayName: name }],
    [
      '/app/clinic/settings',
      admin,
      {
        name,
        timeZone: 'Europe/Madrid',
        emergencyNumber: '112',
        contactPhone: '+34 91 000 0000',
        checkInPlanHours: '4, 24, 48, 72',
        thoracicPlanHours: '2, 6, 24, 48, 72',
        languages: ['en'],
        defaultLanguage: 'en',
      },
    ],
  ];

  it('every form refuses a name with CR/LF, a control character or a text-direction override, and stores nothing', async () => {
    const before = await countRows(ctx.db);
    const names = async () => ({
      patient: await ctx.db
        .selectFrom('patients')
        .select('display_name')
        .where('id', '=', patientId)
        .executeTakeFirstOrThrow(),
      clinic: await ctx.db
        .selectFrom('clinics')
        .select('name')
        .where('id', '=', clinic.clinicId)
        .executeTakeFirstOrThrow(),
    });
    const namesBefore = await names();
    for (const bad of BAD_NAMES) {
      for (const [url, who, fields] of doors(bad)) {
        const res = await post(url, who, fields);
        expect(res.statusCode, `${url} ${JSON.stringify(bad)}`).toBe(400);
        expect(res.headers['content-type']).toContain('text/html');
        expect(res.body, url).toMatch(
          /one line|control characters|direction of the text|please check this field/,
        );
      }
    }
    expect(await countRows(ctx.db)).toEqual(before);
    expect(await names()).toEqual(namesBefore);
  });
});
