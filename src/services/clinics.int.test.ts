import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { adminOf, NOBODY, serviceDeps, type TestDeps } from '../../test/service-deps.ts';
import { auditActions, seedClinic, T0 } from '../api/test-support.ts';
import { insertApiToken } from '../store/api-tokens.repository.ts';
import { listClinics } from '../store/clinics.repository.ts';
import { findStaffByEmail, insertStaffSession } from '../store/staff.repository.ts';
import type { SystemActor } from './actors.ts';
import { createClinic, listAllClinics, setClinicSuspension } from './clinics.ts';
import { AppError } from './errors.ts';
import { clinicOfGoneLink, resolvePatientLink } from './patient-link.ts';
import { recordSession } from './record-session.ts';
import { sha256Hex } from './secrets.ts';
import { readSetPasswordLink, setPasswordWithLink } from './set-password.ts';
import { signIn } from './sign-in.ts';
import { deactivateStaff } from './staff.ts';
import { authenticateApiToken, authenticateStaffSession } from './staff-auth.ts';

const HOST: SystemActor = {
  kind: 'system',
  name: 'cli',
  clinicId: null,
  ip: '127.0.0.1',
  requestId: 'cli',
};

async function refusal(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

function tokenOf(url: string): string {
  return decodeURIComponent(url.split('/set-password/')[1] ?? '');
}

const GOOD = 'a quiet harbour at noon';

describeEachDialect('clinics and set-password links', (ctx) => {
  let deps: TestDeps;
  beforeAll(() => {
    deps = serviceDeps(ctx.db);
  });

  describe('creating a clinic', () => {
    it('makes the clinic, an admin without a password and a 7-day link, audited', async () => {
      const created = await createClinic(deps, HOST, {
        name: '  Fisio Norte ',
        timeZone: 'Europe/Madrid',
        country: 'es',
        adminEmail: 'Ana@Norte.Test',
        language: 'es',
      });
      expect(created.clinic).toMatchObject({
        name: 'Fisio Norte',
        country: 'ES',
        emergencyNumber: '112',
        defaultLanguage: 'es',
        suspendedAt: null,
      });
      expect(created.admin).toMatchObject({ email: 'ana@norte.test', role: 'admin' });
      expect(created.setPasswordUrl).toMatch(/^https:\/\/care\.example\.test\/set-password\//);
      expect(Date.parse(created.setPasswordExpiresAt) - deps.clock.now().getTime()).toBe(
        7 * 24 * 3_600_000,
      );
      // The secret is stored only as its hash.
      const token = tokenOf(created.setPasswordUrl);
      const rows = await ctx.db.selectFrom('password_tokens').selectAll().execute();
      expect(rows.some((r) => r.token_hash === sha256Hex(token))).toBe(true);
      expect(JSON.stringify(rows)).not.toContain(token);
      // No password works before one is set.
      await expect(
        signIn(deps, NOBODY, { email: 'ana@norte.test', password: 'x' }),
      ).rejects.toThrow();
      expect((await auditActions(ctx.db, 'clinic.create'))[0]?.subjectId).toBe(created.clinic.id);
    });

    it('refuses bad fields all at once and a taken name, storing nothing; an address of another clinic may run a new one', async () => {
      const before = (await listClinics(ctx.db)).length;
      const bad = await refusal(
        createClinic(deps, HOST, {
          name: ' ',
          timeZone: 'Europe/Atlantis',
          country: 'Spain',
          adminEmail: 'not-an-address',
          language: 'fr',
        }),
      );
      expect(bad.code).toBe('validation_failed');
      expect(bad.errors.map((e) => e.field).sort()).toEqual([
        'adminEmail',
        'country',
        'language',
        'name',
        'timeZone',
      ]);
      const input = {
        name: 'FISIO NORTE',
        timeZone: 'Europe/Madrid',
        country: 'ES',
        adminEmail: 'other@norte.test',
      };
      expect((await refusal(createClinic(deps, HOST, input))).code).toBe('conflict');
      expect((await listClinics(ctx.db)).length).toBe(before);
      // The same person may run a second clinic (decision 1331): a separate account there.
      const sur = await createClinic(deps, HOST, {
        ...input,
        name: 'Sur',
        adminEmail: 'ana@norte.test',
      });
      expect(sur.admin.email).toBe('ana@norte.test');
      expect((await listClinics(ctx.db)).length).toBe(before + 1);
    });

    it('is for the server operator only', async () => {
      const a = await seedClinic(ctx.db, 'Not a host');
      for (const actor of [adminOf(a), NOBODY]) {
        expect((await refusal(listAllClinics(deps, actor))).code).toBe('forbidden');
      }
    });
  });

  describe('the set-password link', () => {
    it('sets the password once, signs in, then answers 410', async () => {
      const created = await createClinic(deps, HOST, {
        name: 'Link Clinic',
        timeZone: 'Europe/London',
        country: 'GB',
        adminEmail: 'lee@link.test',
        adminName: 'Lee',
      });
      expect(created.clinic.emergencyNumber).toBe('999');
      const token = tokenOf(created.setPasswordUrl);
      expect((await readSetPasswordLink(deps, NOBODY, { token })).user.displayName).toBe('Lee');

      const weak = await refusal(
        setPasswordWithLink(deps, NOBODY, { token, password: 'Password2024!', confirmation: 'x' }),
      );
      expect(weak.errors.map((e) => e.field)).toEqual(['password', 'confirmation']);
      expect(weak.errors[0]?.message).toBe('is too common');

      const user = await setPasswordWithLink(deps, NOBODY, {
        token,
        password: GOOD,
        confirmation: GOOD,
      });
      expect(user.email).toBe('lee@link.test');
      const signed = await signIn(deps, NOBODY, { email: 'lee@link.test', password: GOOD });
      expect(signed.user.id).toBe(user.id);

      // Each call starts only when its refusal is awaited: started together, the second could
      // reject while the first was awaited, an unhandled rejection (the project's CI, round 57).
      for (const call of [
        () => readSetPasswordLink(deps, NOBODY, { token }),
        () => setPasswordWithLink(deps, NOBODY, { token, password: `${GOOD}!` }),
      ]) {
        expect((await refusal(call())).status).toBe(410);
      }
      expect((await refusal(readSetPasswordLink(deps, NOBODY, { token: 'nope' }))).status).toBe(
        404,
      );
      const [event] = await auditActions(ctx.db, 'staff.password.set');
      expect(JSON.parse(event?.details ?? '{}')).toMatchObject({ via: 'first_admin' });
    });

    it('expires after 7 days', async () => {
      const created = await createClinic(deps, HOST, {
        name: 'Late Clinic',
        timeZone: 'Europe/Madrid',
        country: 'ES',
        adminEmail: 'late@late.test',
      });
      const token = tokenOf(created.setPasswordUrl);
      const atSeven = serviceDeps(
        ctx.db,
        {},
        new Date(deps.clock.now().getTime() + 7 * 86_400_000 - 1).toISOString(),
      );
      expect((await readSetPasswordLink(atSeven, NOBODY, { token })).user.email).toBe(
        'late@late.test',
      );
      const afterSeven = serviceDeps(
        ctx.db,
        {},
        new Date(deps.clock.now().getTime() + 7 * 86_400_000 + 1).toISOString(),
      );
      expect((await refusal(readSetPasswordLink(afterSeven, NOBODY, { token }))).status).toBe(410);
    });
  });

  describe('suspension', () => {
    it('stops sign-in, ends sessions, refuses API tokens; resume undoes it', async () => {
      const a = await seedClinic(ctx.db, 'Suspended');
      const now = deps.clock.now();
      await insertStaffSession(ctx.db, {
        idHash: sha256Hex('cookie-s'),
        userId: a.adminId,
        clinicId: a.clinicId,
        csrfToken: 'c',
        createdAt: now,
        expiresAt: new Date(now.getTime() + 3_600_000),
      });
      await insertApiToken(ctx.db, {
        clinicId: a.clinicId,
        name: 'lab',
        tokenHash: sha256Hex('nck_s'),
        createdBy: a.adminId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + 90 * 86_400_000),
      });
      const recorded = await recordSession(deps, adminOf(a), {
        patient: { displayName: 'Suspended Patient', phone: '+34 600 000 112' },
        performedAt: new Date(Date.parse(T0) - 30 * 60_000).toISOString(),
        sites: [{ muscle: 'gastrocnemius', side: 'left' }],
      });
      const patientToken = recorded.link.url.split('/p/')[1] ?? '';
      const suspended = await setClinicSuspension(deps, HOST, {
        clinicId: a.clinicId,
        suspended: true,
      });
      expect(suspended.suspendedAt).not.toBeNull();
      expect(await authenticateStaffSession(deps, { cookie: 'cookie-s' })).toBeUndefined();
      expect((await refusal(authenticateApiToken(deps, { token: 'nck_s' }))).status).toBe(401);
      const denied = await refusal(
        signIn(deps, NOBODY, { email: a.adminEmail, password: 'correct horse battery staple' }),
      );
      expect(denied.code).toBe('forbidden');
      // Patient links open no form; the gone page gets the clinic (its phone).
      expect((await refusal(resolvePatientLink(deps, NOBODY, patientToken))).status).toBe(410);
      expect((await clinicOfGoneLink(deps, patientToken))?.contactPhone).toBe('+34 600 000 000');

      await setClinicSuspension(deps, HOST, { clinicId: a.clinicId, suspended: false });
      expect((await authenticateApiToken(deps, { token: 'nck_s' })).clinicId).toBe(a.clinicId);
      const back = await signIn(deps, NOBODY, {
        email: a.adminEmail,
        password: 'correct horse battery staple',
      });
      expect(back.user.id).toBe(a.adminId);
      expect((await resolvePatientLink(deps, NOBODY, patientToken)).clinicId).toBe(a.clinicId);
      expect((await auditActions(ctx.db, 'clinic.suspend'))[0]?.subjectId).toBe(a.clinicId);
      expect((await auditActions(ctx.db, 'clinic.resume'))[0]?.subjectId).toBe(a.clinicId);
      expect(
        (
          await refusal(
            setClinicSuspension(deps, HOST, {
              clinicId: '00000000-0000-4000-8000-000000000000',
              suspended: true,
            }),
          )
        ).status,
      ).toBe(404);
    });
  });

  describe('deactivation', () => {
    it("revokes the person's API tokens", async () => {
      const a = await seedClinic(ctx.db, 'Tokens');
      const second = await createClinic(deps, HOST, {
        name: 'Tokens Two',
        timeZone: 'Europe/Madrid',
        country: 'ES',
        adminEmail: 'two@tokens.test',
      });
      expect(second.admin.active).toBe(true);
      await insertApiToken(ctx.db, {
        clinicId: a.clinicId,
        name: 'made by the practitioner',
        tokenHash: sha256Hex('nck_d'),
        createdBy: a.practitionerId,
        createdAt: deps.clock.now(),
        expiresAt: new Date(deps.clock.now().getTime() + 90 * 86_400_000),
      });
      expect((await authenticateApiToken(deps, { token: 'nck_d' })).clinicId).toBe(a.clinicId);
      await deactivateStaff(deps, adminOf(a), { userId: a.practitionerId });
      expect((await refusal(authenticateApiToken(deps, { token: 'nck_d' }))).status).toBe(401);
      const [event] = await auditActions(ctx.db, 'staff.deactivate');
      expect(JSON.parse(event?.details ?? '{}')).toMatchObject({ tokensRevoked: 1 });
      expect((await findStaffByEmail(ctx.db, a.practitionerEmail))?.active).toBe(false);
    });
  });
});
