import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { countRows, createSession, LEG_SITE, makeWorld, T0, type World } from './test-support.ts';

/** Names the shared check refuses (src/services/text.ts, `checkName`), with what it says. */
const BAD_NAMES: readonly (readonly [string, string])[] = [
  ['   ', 'empty or only spaces'],
  ['Rosa\r\nBcc: victim@example.test', 'one line'],
  ['Rosa\u0000', 'control characters'],
  ['Rosa\u202eanitniuQ', 'text-direction'],
];

/**
 * Issue 12, finding 6 (decision 1122): every name that enters through the JSON API goes
 * through the one name check — patients (create, quick add, edit), staff invitations, the
 * clinic's name, API token names — answered 400 problem+json naming the field, nothing stored.
 */
describeEachDialect('JSON API: names', (ctx) => {
  let w: World;
  let patientId = '';
  beforeAll(async () => {
    w = await makeWorld(ctx.db);
    patientId = (await createSession(w.app, w.pracA, { sites: [LEG_SITE] })).patientId;
  });
  afterAll(async () => {
    await w.app.close();
  });

  const doors = () =>
    [
      [
        'POST /patients',
        'POST',
        '/api/v1/patients',
        w.pracA,
        'displayName',
        (n: string) => ({ displayName: n, phone: '+34 600 000 001' }),
      ],
      [
        'POST /sessions (quick add)',
        'POST',
        '/api/v1/sessions',
        w.pracA,
        'patient.displayName',
        (n: string) => ({
          patient: { displayName: n, phone: '+34 600 000 002' },
          performedAt: T0,
          sites: [LEG_SITE],
        }),
      ],
      [
        'PATCH /patients/:id',
        'PATCH',
        `/api/v1/patients/${patientId}`,
        w.pracA,
        'displayName',
        (n: string) => ({ displayName: n, language: 'en', phone: '+34 600 000 003' }),
      ],
      [
        'POST /admin/staff',
        'POST',
        '/api/v1/admin/staff',
        w.adminA,
        'displayName',
        (n: string) => ({
          email: `new${Math.random().toString(36).slice(2)}@example.test`,
          displayName: n,
        }),
      ],
      [
        'PATCH /admin/clinic',
        'PATCH',
        '/api/v1/admin/clinic',
        w.adminA,
        'name',
        (n: string) => ({ name: n }),
      ],
      [
        'POST /admin/api-tokens',
        'POST',
        '/api/v1/admin/api-tokens',
        w.adminA,
        'name',
        (n: string) => ({ name: n }),
      ],
    ] as const;

  it('every door refuses a blank name, CR/LF, a control character or a text-direction override, naming the field', async () => {
    const before = await countRows(ctx.db);
    const clinicBefore = await ctx.db
      .selectFrom('clinics')
      .select('name')
      .where('id', '=', w.a.clinicId)
      .executeTakeFirstOrThrow();
    for (const [door, method, url, who, fieldName, body] of doors()) {
      for (const [name, says] of BAD_NAMES) {
        const res = await w.app.inject({
          method,
          url,
          headers: who.headers(),
          payload: body(name),
        });
        expect(res.statusCode, `${door} ${JSON.stringify(name)}`).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        const problem = res.json() as { errors?: { field: string; message: string }[] };
        const issue = problem.errors?.find((e) => e.field.endsWith(fieldName));
        expect(issue, `${door} ${JSON.stringify(name)} ${res.body}`).toBeDefined();
        // A blank name may be caught by the schema's minLength; the others by the name check.
        if (name.trim() !== '') expect(issue?.message).toContain(says);
      }
    }
    expect(await countRows(ctx.db)).toEqual(before);
    const patient = await ctx.db
      .selectFrom('patients')
      .select('display_name')
      .where('id', '=', patientId)
      .executeTakeFirstOrThrow();
    expect(patient.display_name).not.toMatch(/Rosa/);
    expect(
      await ctx.db
        .selectFrom('clinics')
        .select('name')
        .where('id', '=', w.a.clinicId)
        .executeTakeFirstOrThrow(),
    ).toEqual(clinicBefore);
  });

  it('an ordinary name in any script is stored trimmed, on one line, in NFC', async () => {
    const res = await w.app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      headers: w.pracA.headers(),
      payload: { displayName: '  Jose\u0301   Ñúñez  ', phone: '+34 600 000 009' },
    });
    expect(res.statusCode).toBe(201);
    expect((res.json() as { displayName: string }).displayName).toBe('José Ñúñez');
  });
});
