import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/dialects.ts';
import { verifyAuditChain } from '../../../store/audit.repository.ts';
import { countRows, createSession, json, makeWorld, type World } from '../../test-support.ts';

describeEachDialect('patient records API', (ctx) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(ctx.db, { sessionIdleMinutes: 60 * 24 * 30, sessionTtlHours: 24 * 30 });
  });

  async function addPatient(displayName: string, extra: Record<string, string> = {}) {
    const res = await w.app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      headers: w.pracA.headers(),
      payload: { displayName, ...extra },
    });
    expect(res.statusCode).toBe(201);
    return json<{ id: string }>(res).id;
  }

  it('lists a page at a time and finds "Lucía" by "lucia"', async () => {
    const lucia = await addPatient('Lucía Martín', { phone: '+34 600 123 456' });
    w.clock.advance(60_000);
    await addPatient('Someone Else');
    const found = json<{ items: { id: string }[] }>(
      await w.app.inject({
        method: 'GET',
        url: '/api/v1/patients?q=lucia',
        headers: w.pracA.headers(false),
      }),
    );
    expect(found.items.map((p) => p.id)).toEqual([lucia]);
    const page = json<{ items: unknown[]; nextCursor: string }>(
      await w.app.inject({
        method: 'GET',
        url: '/api/v1/patients?limit=1',
        headers: w.pracA.headers(false),
      }),
    );
    expect(page.items).toHaveLength(1);
    const next = json<{ items: { id: string }[] }>(
      await w.app.inject({
        method: 'GET',
        url: `/api/v1/patients?limit=1&cursor=${page.nextCursor}`,
        headers: w.pracA.headers(false),
      }),
    );
    expect(next.items.map((p) => p.id)).toEqual([lucia]);
    const bad = await w.app.inject({
      method: 'GET',
      url: '/api/v1/patients?cursor=%25%25',
      headers: w.pracA.headers(false),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const dupes = json<{ items: { id: string }[] }>(
      await w.app.inject({
        method: 'GET',
        url: `/api/v1/patients/duplicates?displayName=LUCIA%20MARTIN&phone=${encodeURIComponent('+34600123456')}`,
        headers: w.pracA.headers(false),
      }),
    );
    expect(dupes.items.map((p) => p.id)).toEqual([lucia]);
  });

  it('edits, shows links and messages, revokes, exports and erases; bad input stores nothing', async () => {
    const s = await createSession(w.app, w.pracA);
    const url = `/api/v1/patients/${s.patientId}`;
    const before = await countRows(w.db);
    const bad = await w.app.inject({
      method: 'PATCH',
      url,
      headers: w.pracA.headers(),
      payload: { displayName: 'X', language: 'en', email: 'not-an-address' },
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('email');
    expect(await countRows(w.db)).toEqual(before);
    const edited = await w.app.inject({
      method: 'PATCH',
      url,
      headers: w.pracA.headers(),
      payload: { displayName: 'Renamed Patient', language: 'es', phone: '+34 600 000 111' },
    });
    expect(edited.statusCode).toBe(200);
    expect(json(edited)).toMatchObject({
      displayName: 'Renamed Patient',
      email: null,
      language: 'es',
    });
    expect(
      (
        await w.app.inject({
          method: 'PATCH',
          url,
          headers: w.pracB.headers(),
          payload: { displayName: 'x', language: 'en' },
        })
      ).statusCode,
    ).toBe(404);

    const contacts = await w.app.inject({
      method: 'GET',
      url: `${url}/contacts`,
      headers: w.pracA.headers(false),
    });
    expect(contacts.statusCode).toBe(200);
    expect(contacts.body).not.toContain(s.token);
    expect(json<{ links: { id: string; state: string }[] }>(contacts).links).toEqual([
      expect.objectContaining({ id: s.linkId, state: 'active' }),
    ]);
    const revoke = await w.app.inject({
      method: 'POST',
      url: `${url}/links/${s.linkId}/revoke`,
      headers: w.pracA.headers(),
    });
    expect(revoke.statusCode).toBe(204);
    expect((await w.app.inject({ method: 'GET', url: `/api/v1/p/${s.token}` })).statusCode).toBe(
      410,
    );

    const exported = await w.app.inject({
      method: 'GET',
      url: `${url}/export`,
      headers: w.pracA.headers(false),
    });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-disposition']).toContain('attachment');
    expect(json<{ patient: { displayName: string } }>(exported).patient.displayName).toBe(
      'Renamed Patient',
    );

    const byPractitioner = await w.app.inject({
      method: 'POST',
      url: `${url}/erase`,
      headers: w.pracA.headers(),
      payload: { confirmName: 'Renamed Patient' },
    });
    expect(byPractitioner.statusCode).toBe(403);
    const mistyped = await w.app.inject({
      method: 'POST',
      url: `${url}/erase`,
      headers: w.adminA.headers(),
      payload: { confirmName: 'Renamed' },
    });
    expect(mistyped.statusCode).toBe(400);
    const erased = await w.app.inject({
      method: 'POST',
      url: `${url}/erase`,
      headers: w.adminA.headers(),
      payload: { confirmName: 'renamed patient' },
    });
    expect(erased.statusCode).toBe(200);
    expect(json(erased)).toMatchObject({ sessions: 1, linksRevoked: 0 });
    const after = json<{ displayName: string; phone: null; erasedAt: string }>(
      await w.app.inject({ method: 'GET', url, headers: w.pracA.headers(false) }),
    );
    expect(after.displayName).not.toContain('Renamed');
    expect(after.phone).toBeNull();
    expect(after.erasedAt).not.toBeNull();
    expect((await verifyAuditChain(w.db)).ok).toBe(true);
  });
});
