import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { type Browser, type SeededClinic, seedClinic, signIn } from '../../api/test-support.ts';
import { manualClock } from '../../services/clock.ts';
import type { Db } from '../../store/db.ts';
import { dashboardTestApp } from './test-support.ts';

async function deadLetter(db: Db, clinicId: string, lastError: string): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('outbox')
    .values({
      id,
      clinic_id: clinicId,
      kind: 'alert.email',
      dedupe_key: `dash-dl:${id}`,
      payload_json: '{}',
      due_at: '2026-11-25T08:00:00.000Z',
      status: 'dead',
      attempts: 10,
      claimed_by: null,
      claimed_until: null,
      last_error: lastError,
      created_at: '2026-11-25T07:00:00.000Z',
      sent_at: null,
    })
    .execute();
  return id;
}

describeEachDialect('dashboard: undelivered messages', (ctx) => {
  let app: FastifyInstance;
  let a: SeededClinic;
  let adminA: Browser;
  let pracA: Browser;

  beforeAll(async () => {
    app = await dashboardTestApp(ctx.db, { clock: manualClock('2026-11-25T09:00:00.000Z') });
    a = await seedClinic(ctx.db, 'Dash DL');
    adminA = await signIn(app, a.adminEmail);
    pracA = await signIn(app, a.practitionerEmail);
  });
  afterAll(async () => {
    await app.close();
  });

  const get = (url: string, who: Browser) =>
    app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
  const post = (url: string, who: Browser) =>
    app.inject({
      method: 'POST',
      url,
      headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: who.csrf }).toString(),
    });

  it('admins see the count on every page, the list with the reason, and can send again', async () => {
    const id = await deadLetter(ctx.db, a.clinicId, 'connect ECONNREFUSED 127.0.0.1:2525');
    await deadLetter(ctx.db, a.clinicId, 'SMTP 550');

    const home = await get('/app', adminA);
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Undelivered (2)');
    const practitionerHome = await get('/app', pracA);
    expect(practitionerHome.body).not.toContain('Undelivered');

    const list = await get('/app/dead-letters', adminA);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('connect ECONNREFUSED 127.0.0.1:2525');
    expect(list.body).toContain('alert.email');
    expect(list.headers['cache-control']).toBe('no-store');

    const one = await post(`/app/dead-letters/${id}/requeue`, adminA);
    expect(one.statusCode).toBe(303);
    expect(one.headers.location).toBe('/app/dead-letters?requeued=1');
    const after = await get('/app/dead-letters?requeued=1', adminA);
    expect(after.body).toContain('1 message(s) queued again.');
    expect(after.body).toContain('Undelivered (1)');

    const again = await post(`/app/dead-letters/${id}/requeue`, adminA);
    expect(again.headers.location).toBe('/app/dead-letters?requeued=0');

    const all = await post('/app/dead-letters/requeue', adminA);
    expect(all.headers.location).toBe('/app/dead-letters?requeued=1');
    const empty = await get('/app/dead-letters', adminA);
    expect(empty.body).toContain('No message has given up');
    expect(empty.body).toContain('Undelivered (0)');
  });

  it('shows messages that are failing but still being tried, and never says all were delivered (decision 1226)', async () => {
    const c = await seedClinic(ctx.db, 'Failing Mail');
    const admin = await signIn(app, c.adminEmail);
    const id = randomUUID();
    await ctx.db
      .insertInto('outbox')
      .values({
        id,
        clinic_id: c.clinicId,
        kind: 'staff.invite.email',
        dedupe_key: `dash-failing:${id}`,
        payload_json: '{}',
        due_at: '2026-11-25T09:00:00.000Z',
        status: 'pending',
        attempts: 2,
        claimed_by: null,
        claimed_until: null,
        last_error: 'no SMTP server configured (SMTP_URL)',
        created_at: '2026-11-25T07:00:00.000Z',
        sent_at: null,
      })
      .execute();
    const page = await get('/app/dead-letters', admin);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Failing now, still being tried (1)');
    expect(page.body).toContain('Undelivered (1)');
    expect(page.body).toContain('no SMTP server configured (SMTP_URL)');
    expect(page.body).toContain('staff.invite.email');
    expect(page.body).toContain('Gave up (0)');
    expect(page.body).not.toContain('delivered.');
    expect(page.body).not.toContain('Send again</button></form></td>');
    const es = await get('/app/dead-letters?lang=es', admin);
    expect(es.body).toContain('Fallan ahora, se siguen intentando (1)');
  });

  it('practitioners are refused, and a form without the CSRF token changes nothing', async () => {
    const id = await deadLetter(ctx.db, a.clinicId, 'x');
    expect((await get('/app/dead-letters', pracA)).statusCode).toBe(403);
    expect((await post('/app/dead-letters/requeue', pracA)).statusCode).toBe(403);
    const forged = await app.inject({
      method: 'POST',
      url: `/app/dead-letters/${id}/requeue`,
      headers: { cookie: adminA.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(forged.statusCode).toBe(403);
    const row = await ctx.db
      .selectFrom('outbox')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('dead');
  });
});
