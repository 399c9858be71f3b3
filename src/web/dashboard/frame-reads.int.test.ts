import type { FastifyInstance } from 'fastify';
import type { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { type Browser, type SeededClinic, seedClinic, signIn, T0 } from '../../api/test-support.ts';
import { sha256Hex } from '../../services/secrets.ts';
import { findClinic } from '../../store/clinics.repository.ts';
import { findStaffSessionWithClinic } from '../../store/staff.repository.ts';
import { dashboardTestApp, emergencyCheckIn } from './test-support.ts';

/**
 * What a dashboard page reads before its own reads (decision 1457): the session, its user and
 * their clinic in one statement; the open-alert counts only on pages that do not read the
 * alerts themselves.
 */
describeEachDialect('dashboard frame reads', (ctx) => {
  let app: FastifyInstance;
  let clinic: SeededClinic;
  let prac: Browser;
  const statements: string[] = [];

  beforeAll(async () => {
    const db = ctx.db.withPlugin({
      transformQuery: (args) => {
        const compiled: CompiledQuery = ctx.db.getExecutor().compileQuery(args.node, args.queryId);
        statements.push(compiled.sql);
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    app = await dashboardTestApp(db);
    clinic = await seedClinic(ctx.db, 'Frame reads');
    prac = await signIn(app, clinic.practitionerEmail);
    await emergencyCheckIn(app, prac);
  });
  afterAll(async () => {
    await app.close();
  });

  async function statementsOf(url: string): Promise<{ body: string; sql: string[] }> {
    statements.length = 0;
    const res = await app.inject({ method: 'GET', url, headers: { cookie: prac.cookie } });
    expect(res.statusCode).toBe(200);
    return { body: res.body, sql: [...statements] };
  }

  const readsSession = (s: string) => s.includes('"staff_sessions"');
  const readsClinicAlone = (s: string) => /from "clinics"/.test(s) && !readsSession(s);
  const countsOpenAlerts = (s: string) => /count\(\*\)/.test(s) && s.includes('"alerts"');

  it('reads the session, the user and the clinic in one statement', async () => {
    const { sql } = await statementsOf('/app/patients');
    const sessionReads = sql.filter(readsSession);
    expect(sessionReads).toHaveLength(1);
    expect(sessionReads[0]).toContain('"clinics"');
    expect(sql.filter(readsClinicAlone)).toEqual([]);
  });

  it('reads the open-alert counts for a page that does not read the alerts', async () => {
    const { body, sql } = await statementsOf('/app/patients');
    expect(sql.filter(countsOpenAlerts)).toHaveLength(1);
    // The frame's count: the banner that sends staff to the queue, and the tab title.
    expect(body).toContain('class="emergency-banner');
    expect(body).toMatch(/<title[^>]*>\(1\) /);
  });

  it('shows the queue its own counts without reading them again', async () => {
    const { body, sql } = await statementsOf('/app');
    expect(sql.filter(countsOpenAlerts)).toEqual([]);
    expect(sql.filter(readsClinicAlone)).toEqual([]);
    expect(body).toContain('class="emergency-banner"');
    expect(body).toMatch(/<title[^>]*>\(1\) /);
    expect(body).toContain('data-emergencies="1"');
    const fragment = await statementsOf('/app/alerts/fragment');
    expect(fragment.sql.filter(countsOpenAlerts)).toEqual([]);
    expect(fragment.body).toContain('data-emergencies="1"');
  });

  it('gives the same clinic as reading it on its own', async () => {
    const found = await findStaffSessionWithClinic(
      ctx.db,
      sha256Hex(prac.cookie.slice(prac.cookie.indexOf('=') + 1)),
      T0,
    );
    expect(found?.user.id).toBe(clinic.practitionerId);
    expect(found?.clinic).toEqual(await findClinic(ctx.db, clinic.clinicId));
    expect(await findStaffSessionWithClinic(ctx.db, sha256Hex('unknown'), T0)).toBe(undefined);
  });
});
