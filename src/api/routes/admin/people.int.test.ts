/**
 * Issue 11 through the API: role changes, the last admin, token expiry and maker, and the
 * invitation of an address another clinic uses (docs/decisions/1330–1332).
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/dialects.ts';
import { DAY_MS } from '../../../services/clock.ts';
import { json, makeWorld, signIn, type World } from '../../test-support.ts';

describeEachDialect('admin API: people and tokens', (ctx) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(ctx.db);
  });

  const post = (url: string, headers: Record<string, string>, payload?: object) =>
    w.app.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload }) });

  it('changes a role at once: the promoted practitioner reaches admin routes on their open session', async () => {
    const before = await w.app.inject({
      method: 'GET',
      url: '/api/v1/admin/staff',
      headers: w.pracA.headers(false),
    });
    expect(before.statusCode).toBe(403);
    const promoted = await post(
      `/api/v1/admin/staff/${w.a.practitionerId}/role`,
      w.adminA.headers(),
      {
        role: 'admin',
      },
    );
    expect(promoted.statusCode).toBe(200);
    expect(json(promoted)).toMatchObject({ id: w.a.practitionerId, role: 'admin' });
    const after = await w.app.inject({
      method: 'GET',
      url: '/api/v1/admin/staff',
      headers: w.pracA.headers(false),
    });
    expect(after.statusCode).toBe(200);
    const back = await post(`/api/v1/admin/staff/${w.a.practitionerId}/role`, w.adminA.headers(), {
      role: 'practitioner',
    });
    expect(json(back)).toMatchObject({ role: 'practitioner' });
  });

  it('refuses bad role input as problem+json naming the field, and the last admin with a clear 409', async () => {
    for (const payload of [{ role: 'owner' }, {}, { role: 'admin', extra: 1 }, { role: 1 }]) {
      const bad = await post(
        `/api/v1/admin/staff/${w.a.practitionerId}/role`,
        w.adminA.headers(),
        payload,
      );
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
    }
    const last = await post(`/api/v1/admin/staff/${w.b.adminId}/role`, w.adminB.headers(), {
      role: 'practitioner',
    });
    expect(last.statusCode).toBe(409);
    expect(last.headers['content-type']).toContain('application/problem+json');
    expect(json(last).detail).toContain('last active admin');
    const staff = json<{ items: { id: string; role: string }[] }>(
      await w.app.inject({
        method: 'GET',
        url: '/api/v1/admin/staff',
        headers: w.adminB.headers(false),
      }),
    );
    expect(staff.items.find((u) => u.id === w.b.adminId)?.role).toBe('admin');
  });

  it('makes tokens that expire (90 days unless chosen, at most 365), lists their maker, and answers an expired one 401 saying so', async () => {
    const made = json<{ id: string; token: string; expiresAt: string }>(
      await post('/api/v1/admin/api-tokens', w.adminA.headers(), { name: 'lab', expiresInDays: 2 }),
    );
    expect(Date.parse(made.expiresAt)).toBe(w.clock.now().getTime() + 2 * DAY_MS);
    const standard = json<{ expiresAt: string }>(
      await post('/api/v1/admin/api-tokens', w.adminA.headers(), { name: 'default' }),
    );
    expect(Date.parse(standard.expiresAt)).toBe(w.clock.now().getTime() + 90 * DAY_MS);
    for (const expiresInDays of [0, 366, '30', 2.5]) {
      const bad = await post('/api/v1/admin/api-tokens', w.adminA.headers(), {
        name: 'bad',
        expiresInDays,
      });
      expect(bad.statusCode).toBe(400);
      expect(json<{ errors: { field: string }[] }>(bad).errors[0]?.field).toBe('expiresInDays');
    }
    const list = json<{ items: Record<string, unknown>[] }>(
      await w.app.inject({
        method: 'GET',
        url: '/api/v1/admin/api-tokens',
        headers: w.adminA.headers(false),
      }),
    );
    expect(list.items.map((t) => t.name)).not.toContain('bad');
    expect(list.items.find((t) => t.id === made.id)).toMatchObject({
      name: 'lab',
      createdBy: w.a.adminId,
      createdByName: 'Ada Admin',
      expiresAt: made.expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    });

    const bearer = { authorization: `Bearer ${made.token}` };
    expect(
      (await w.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer })).statusCode,
    ).toBe(200);
    w.clock.advance(2 * DAY_MS);
    try {
      const expired = await w.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: bearer,
      });
      expect(expired.statusCode).toBe(401);
      expect(expired.headers['content-type']).toContain('application/problem+json');
      expect(json(expired).detail).toContain('expired');
    } finally {
      w.clock.advance(-2 * DAY_MS);
    }
  });

  it('invites an address another clinic uses like any new one; the same clinic gets a 409 naming email', async () => {
    const taken = await post('/api/v1/admin/staff', w.adminB.headers(), {
      email: w.a.practitionerEmail.toUpperCase(),
      displayName: 'Pia Elsewhere',
    });
    expect(taken.statusCode).toBe(201);
    expect(taken.body).not.toContain(w.a.clinicId);
    const email = `${randomUUID()}@example.test`;
    expect(
      (await post('/api/v1/admin/staff', w.adminA.headers(), { email, displayName: 'One' }))
        .statusCode,
    ).toBe(201);
    const dup = await post('/api/v1/admin/staff', w.adminA.headers(), {
      email,
      displayName: 'Two',
    });
    expect(dup.statusCode).toBe(409);
    expect(json<{ errors: { field: string }[] }>(dup).errors.map((e) => e.field)).toEqual([
      'email',
    ]);
    // The practitioner of A still signs in to A with their own password.
    const pia = await signIn(w.app, w.a.practitionerEmail);
    const me = json<{ clinic: { id: string } }>(
      await w.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: pia.headers(false) }),
    );
    expect(me.clinic.id).toBe(w.a.clinicId);
  });
});
