/**
 * The record-session form's quick add warns about a likely duplicate (same name, accents and
 * case aside, and the same phone or e-mail) and offers the existing patient or a confirmed new
 * one; it works without JavaScript (the form comes back with the choice as submit buttons).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { type Browser, type SeededClinic, seedClinic, signIn } from '../../api/test-support.ts';
import { dashboardTestApp } from './test-support.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describeEachDialect('dashboard quick add: duplicate warning', (ctx) => {
  let app: FastifyInstance;
  let a: SeededClinic;
  let b: SeededClinic;
  let pracA: Browser;
  let pracB: Browser;

  beforeAll(async () => {
    app = await dashboardTestApp(ctx.db);
    a = await seedClinic(ctx.db, 'Dup A');
    b = await seedClinic(ctx.db, 'Dup B');
    pracA = await signIn(app, a.practitionerEmail);
    pracB = await signIn(app, b.practitionerEmail);
  });
  afterAll(async () => {
    await app.close();
  });

  const record = (who: Browser, fields: Record<string, string>) => {
    const form = new URLSearchParams({
      _csrf: who.csrf,
      patientId: 'new',
      performedAt: '2026-11-25T09:45',
      language: 'es',
      ...fields,
    });
    form.append('site', 'deltoid:left');
    return app.inject({
      method: 'POST',
      url: '/app/sessions',
      headers: { ...FORM, cookie: who.cookie },
      payload: form.toString(),
    });
  };
  const patientsOf = async (clinicId: string) =>
    ctx.db
      .selectFrom('patients')
      .select(['id', 'display_name'])
      .where('clinic_id', '=', clinicId)
      .execute();

  it('warns on the same name and phone or e-mail; uses the existing patient or adds a confirmed new one', async () => {
    const first = await record(pracA, {
      displayName: 'José Pérez Núñez',
      email: 'jose@example.test',
      phone: '+34 600 123 456',
      recordKey: 'dup-first-0001',
    });
    expect(first.statusCode).toBe(200);
    const [jose] = await patientsOf(a.clinicId);
    expect(jose).toBeDefined();

    // Same name without accents, other case; same phone, another e-mail.
    const warned = await record(pracA, {
      displayName: 'jose perez nuñez',
      email: 'other@example.test',
      phone: '+34 600 123 456',
      recordKey: 'dup-second-0001',
    });
    expect(warned.statusCode).toBe(409);
    expect(warned.body).toContain('This patient may already be in your list');
    expect(warned.body).toContain(`name="useExisting" value="${jose?.id}"`);
    expect(warned.body).toContain('name="confirmNew" value="1"');
    expect(warned.body).toContain('value="jose perez nuñez"'); // the form keeps what was typed
    expect(warned.body).toContain('value="dup-second-0001"');
    expect(await patientsOf(a.clinicId)).toHaveLength(1);
    expect(
      await ctx.db
        .selectFrom('needling_sessions')
        .select('id')
        .where('clinic_id', '=', a.clinicId)
        .execute(),
    ).toHaveLength(1);

    // "Use José": the session goes to the existing patient, no second record.
    const used = await record(pracA, {
      displayName: 'jose perez nuñez',
      email: 'other@example.test',
      phone: '+34 600 123 456',
      recordKey: 'dup-second-0001',
      useExisting: jose?.id ?? '',
    });
    expect(used.statusCode).toBe(200);
    expect(await patientsOf(a.clinicId)).toHaveLength(1);
    const sessions = await ctx.db
      .selectFrom('needling_sessions')
      .select('patient_id')
      .where('clinic_id', '=', a.clinicId)
      .execute();
    expect(sessions.map((s) => s.patient_id)).toEqual([jose?.id, jose?.id]);

    // "A different person": added as new.
    const confirmed = await record(pracA, {
      displayName: 'José Pérez Núñez',
      email: 'jose@example.test',
      recordKey: 'dup-third-00001',
      confirmNew: '1',
    });
    expect(confirmed.statusCode).toBe(200);
    expect(await patientsOf(a.clinicId)).toHaveLength(2);
  });

  it('does not warn for a different name, or across clinics; bad input is still refused first', async () => {
    const other = await record(pracA, {
      displayName: 'José Pérez Gil',
      email: 'jose@example.test',
      recordKey: 'dup-other-00001',
    });
    expect(other.statusCode).toBe(200);
    const elsewhere = await record(pracB, {
      displayName: 'José Pérez Núñez',
      email: 'jose@example.test',
      recordKey: 'dup-elsewhere-01',
    });
    expect(elsewhere.statusCode).toBe(200);
    expect(elsewhere.body).not.toContain('may already be in your list');
    const bad = await record(pracA, {
      displayName: 'José Pérez Núñez',
      email: 'not an address',
      recordKey: 'dup-bad-0000001',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('may already be in your list');
    const forged = await record(pracA, {
      displayName: 'x',
      email: 'x@example.test',
      recordKey: 'dup-forged-00001',
      useExisting: (await patientsOf(b.clinicId))[0]?.id ?? '',
    });
    expect(forged.statusCode).toBe(400);
    expect(await patientsOf(b.clinicId)).toHaveLength(1);
  });
});
