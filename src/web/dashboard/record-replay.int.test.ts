import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import {
  auditActions,
  type Browser,
  countRows,
  type SeededClinic,
  seedClinic,
  signIn,
  testConfig,
} from '../../api/test-support.ts';
import { outboxEvents } from '../../cli/commands/serve.ts';
import { dashboardTestApp } from './test-support.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const encode = (fields: Record<string, string | string[]>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields))
    for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
};

const tokenOf = (body: string) =>
  /https:\/\/care\.example\.test\/p\/([A-Za-z0-9_-]{43})/.exec(body)?.[1];
const keyOf = (body: string) => /name="recordKey" value="([\w-]+)"/.exec(body)?.[1];

/**
 * Issue 12, finding 4 (decision 1120): the record form sent again with its key. The app is
 * wired as `serve` wires it (reminders in the outbox), so "no side effect" covers the outbox.
 */
describeEachDialect('dashboard: a recorded form sent again', (ctx) => {
  let app: FastifyInstance;
  let clinic: SeededClinic;
  let prac: Browser;

  beforeAll(async () => {
    const config = testConfig();
    app = await dashboardTestApp(ctx.db, { config, events: outboxEvents(config) });
    clinic = await seedClinic(ctx.db, 'Replay Clinic');
    prac = await signIn(app, clinic.practitionerEmail);
  });
  afterAll(async () => {
    await app.close();
  });

  const post = (url: string, fields: Record<string, string | string[]>) =>
    app.inject({
      method: 'POST',
      url,
      headers: { ...FORM, cookie: prac.cookie },
      payload: encode({ ...fields, _csrf: prac.csrf }),
    });
  const opens = async (token: string | undefined) =>
    (await app.inject({ method: 'GET', url: `/api/v1/p/${token}` })).statusCode;

  const recordForm = (key: string, name: string, site = 'deltoid:left') => ({
    patientId: 'new',
    displayName: name,
    phone: '+34 600 000 321',
    performedAt: '2026-11-25T09:50',
    site: [site],
    notes: '',
    recordKey: key,
  });

  it('the same form sent again shows the same patient link and writes nothing: no session, link or reminder', async () => {
    const formData = recordForm('replay-key-0001', 'Rita Replay');
    const first = await post('/app/sessions', formData);
    expect(first.statusCode).toBe(200);
    const token = tokenOf(first.body);
    expect(token).toBeDefined();
    const before = await countRows(ctx.db);
    expect(before.outbox).toBeGreaterThan(0);
    const again = await post('/app/sessions', formData);
    expect(again.statusCode).toBe(200);
    expect(tokenOf(again.body)).toBe(token);
    expect(again.body).toContain('nothing new was recorded');
    expect(await countRows(ctx.db)).toEqual(before);
    // The link handed out first still opens the patient's page.
    expect(await opens(token)).toBe(200);
    // The raw token is kept only sealed.
    const row = await ctx.db
      .selectFrom('idempotency_keys')
      .select('response_json')
      .where('key', '=', 'replay-key-0001')
      .executeTakeFirstOrThrow();
    expect(row.response_json).not.toContain(token);
    expect(row.response_json).toMatch(/"sealedToken":"nc1\./);
  });

  it('the same form key with another patient or other sites is refused (409) naming the saved session; nothing is recorded', async () => {
    const first = await post('/app/sessions', recordForm('replay-key-0002', 'Paula Prima'));
    expect(first.statusCode).toBe(200);
    const token = tokenOf(first.body);
    const before = await countRows(ctx.db);
    const otherPatient = await post('/app/sessions', recordForm('replay-key-0002', 'Otto Otro'));
    expect(otherPatient.statusCode).toBe(409);
    expect(otherPatient.body).toContain('already saved a session for Paula Prima');
    expect(otherPatient.body).toContain('nothing was recorded');
    expect(tokenOf(otherPatient.body)).toBeUndefined();
    const otherSites = await post(
      '/app/sessions',
      recordForm('replay-key-0002', 'Paula Prima', 'deltoid:right'),
    );
    expect(otherSites.statusCode).toBe(409);
    expect(await countRows(ctx.db)).toEqual(before);
    expect(await opens(token)).toBe(200);
    expect((await auditActions(ctx.db, 'session.record.key_reused')).length).toBe(2);
    // The form comes back with a fresh key: sending it now records the other patient.
    const fresh = keyOf(otherPatient.body);
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe('replay-key-0002');
    const second = await post('/app/sessions', recordForm(fresh ?? '', 'Otto Otro'));
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('Otto Otro');
    expect((await countRows(ctx.db)).needling_sessions).toBe(before.needling_sessions + 1);
  });

  it('a session for a patient erased meanwhile comes back as the form in the page\'s words (409), on "new patient"; nothing is recorded', async () => {
    const first = await post('/app/sessions', recordForm('replay-key-0004', 'Elsa Erased'));
    expect(first.statusCode).toBe(200);
    const patientId = /href="\/app\/patients\/([0-9a-f-]{36})"/.exec(first.body)?.[1];
    expect(patientId).toBeDefined();
    const admin = await signIn(app, clinic.adminEmail);
    const erased = await app.inject({
      method: 'POST',
      url: `/app/patients/${patientId}/erase`,
      headers: { ...FORM, cookie: admin.cookie },
      payload: encode({ confirmName: 'Elsa Erased', _csrf: admin.csrf }),
    });
    expect(erased.statusCode).toBe(303);
    const before = await countRows(ctx.db);
    const form = (key: string) => ({
      ...recordForm(key, ''),
      patientId: patientId ?? '',
      displayName: '',
      phone: '',
    });
    const english = await post('/app/sessions', form('replay-key-0005'));
    expect(english.statusCode).toBe(409);
    expect(english.body).toContain(
      'This patient&#8217;s record was erased while you filled in the form',
    );
    const spanish = await post('/app/sessions?lang=es', form('replay-key-0006'));
    expect(spanish.statusCode).toBe(409);
    expect(spanish.body).toContain('El registro de este paciente se borró');
    expect(spanish.body).not.toContain('was erased');
    // The erased record is not offered again: the form is back on "new patient".
    expect(spanish.body).not.toContain(`value="${patientId}"`);
    expect(spanish.body).toMatch(/id="p-new" value="new" checked/);
    expect(await countRows(ctx.db)).toEqual(before);
  });

  it('after the link was re-issued a replay says "already saved" and offers a new link; it never brings back or issues one', async () => {
    const formData = recordForm('replay-key-0003', 'Lola Later');
    const first = await post('/app/sessions', formData);
    const sessionId = /action="\/app\/sessions\/([0-9a-f-]{36})\/handover\?/.exec(first.body)?.[1];
    expect(sessionId).toBeDefined();
    const reissued = await post(`/app/sessions/${sessionId}/link`, {});
    const current = tokenOf(reissued.body);
    expect(current).toBeDefined();
    const before = await countRows(ctx.db);
    const again = await post('/app/sessions', formData);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('This session is already saved');
    expect(again.body).toContain('Lola Later');
    expect(tokenOf(again.body)).toBeUndefined();
    expect(again.body).toContain(`action="/app/sessions/${sessionId}/link"`);
    expect(await countRows(ctx.db)).toEqual(before);
    expect(await opens(tokenOf(first.body))).toBe(410);
    expect(await opens(current)).toBe(200);
  });
});
