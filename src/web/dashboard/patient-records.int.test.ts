import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import {
  type Browser,
  countRows,
  createSession,
  type SeededClinic,
  seedClinic,
  signIn,
} from '../../api/test-support.ts';
import { verifyAuditChain } from '../../store/audit.repository.ts';
import { findPatient } from '../../store/patients.repository.ts';
import { dashboardTestApp } from './test-support.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describeEachDialect('dashboard patients pages', (ctx) => {
  let app: FastifyInstance;
  let a: SeededClinic;
  let pracA: Browser;
  let adminA: Browser;
  let pracB: Browser;

  beforeAll(async () => {
    app = await dashboardTestApp(ctx.db);
    a = await seedClinic(ctx.db, 'Pages A');
    const b = await seedClinic(ctx.db, 'Pages B');
    pracA = await signIn(app, a.practitionerEmail);
    adminA = await signIn(app, a.adminEmail);
    pracB = await signIn(app, b.practitionerEmail);
  });
  afterAll(async () => {
    await app.close();
  });

  const get = (url: string, who: Browser) =>
    app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
  const post = (url: string, who: Browser, fields: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url,
      headers: { ...FORM, cookie: who.cookie },
      payload: new URLSearchParams({ ...fields, _csrf: who.csrf }).toString(),
    });

  it('lists, finds "Lucía" by "lucia", edits, revokes, exports and erases', async () => {
    const s = await createSession(app, pracA, { performedAt: '2026-11-25T08:30:00.000Z' });
    const url = `/app/patients/${s.patientId}/record`;
    const saved = await post(url, pracA, {
      displayName: 'Lucía Ortega',
      email: 'lucia@example.test',
      phone: '',
      language: 'es',
    });
    expect(saved.statusCode).toBe(303);
    const list = await get('/app/patients?q=LUCIA', pracA);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Lucía Ortega');
    expect((await get('/app/patients?q=LUCIA', pracB)).body).not.toContain('Lucía Ortega');
    expect((await get(url, pracB)).statusCode).toBe(404);

    const before = await countRows(ctx.db);
    const bad = await post(url, pracA, { displayName: '', email: 'x', phone: '', language: 'es' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('role="alert"');
    expect(await countRows(ctx.db)).toEqual(before);
    const spanish = await post(`${url}?lang=es`, pracA, {
      displayName: 'Lucía Ortega',
      email: 'lucia@',
      phone: '',
      language: 'es',
    });
    expect(spanish.statusCode).toBe(400);
    expect(spanish.body).toContain(
      'Correo electrónico (opcional): revise este campo (no es una dirección de correo).',
    );
    expect(await countRows(ctx.db)).toEqual(before);

    const page = await get(url, pracA);
    expect(page.body).toContain('Active');
    expect(page.body).not.toContain(s.token);
    expect(page.body).not.toContain('confirmName'); // practitioners cannot erase
    const revoke = await post(`/app/patients/${s.patientId}/links/${s.linkId}/revoke`, pracA, {});
    expect(revoke.statusCode).toBe(303);
    expect((await get(url, pracA)).body).toContain('Revoked');

    const json = await get(`/app/patients/${s.patientId}/export.json`, pracA);
    expect(json.headers['content-disposition']).toContain('attachment');
    expect(JSON.parse(json.body).patient.displayName).toBe('Lucía Ortega');

    expect(
      (await post(`/app/patients/${s.patientId}/erase`, pracA, { confirmName: 'Lucía Ortega' }))
        .statusCode,
    ).toBe(403);
    const mistyped = await post(`/app/patients/${s.patientId}/erase`, adminA, {
      confirmName: 'Lucia',
    });
    expect(mistyped.statusCode).toBe(400);
    expect((await findPatient(ctx.db, a.clinicId, s.patientId))?.erasedAt).toBeNull();
    const erased = await post(`/app/patients/${s.patientId}/erase`, adminA, {
      confirmName: 'lucia ortega',
    });
    expect(erased.statusCode).toBe(303);
    expect(erased.headers.location).toBe('/app/patients?done=erased');
    expect((await get('/app/patients', adminA)).body).not.toContain('Lucía Ortega');
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
  });

  it('the admin downloads the clinic ZIP from the clinic page; a practitioner may not', async () => {
    expect((await get('/app/clinic', adminA)).body).toContain('/app/clinic/export.zip');
    const zip = await get('/app/clinic/export.zip', adminA);
    expect(zip.statusCode).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(zip.rawPayload.subarray(0, 4).toString('hex')).toBe('504b0304');
    expect((await get('/app/clinic/export.zip', pracA)).statusCode).toBe(403);
  });

  it('a bad cursor or id is a clear answer, not a crash', async () => {
    const res = await get('/app/patients?cursor=zzz', pracA);
    expect(res.statusCode).toBe(303);
    expect((await get('/app/patients/not-a-uuid/record', pracA)).statusCode).toBe(404);
  });
});
