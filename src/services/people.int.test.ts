import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import {
  adminOf,
  NOBODY,
  practitionerOf,
  serviceDeps,
  type TestDeps,
  tokenOf,
} from '../../test/service-deps.ts';
import {
  auditActions,
  PASSWORD,
  type SeededClinic,
  seedClinic,
  TEST_ARGON2,
} from '../api/test-support.ts';
import { findStaffById, insertStaffUser } from '../store/staff.repository.ts';
import { createApiToken, listClinicApiTokens } from './api-tokens.ts';
import { DAY_MS } from './clock.ts';
import { AppError } from './errors.ts';
import { createPasswordHasher } from './passwords.ts';
import { ClinicChoiceNeeded, signIn } from './sign-in.ts';
import { changeStaffRole, createStaff, deactivateStaff } from './staff.ts';
import { authenticateApiToken, authenticateStaffSession } from './staff-auth.ts';

async function refusal(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

/**
 * Issue 11, people: admins change roles (never leaving a clinic without an admin), API tokens
 * expire and name their maker, and one address may have an account in two clinics
 * (docs/decisions/1330–1332).
 */
describeEachDialect('people: roles, token expiry, one address in two clinics', (ctx) => {
  let deps: TestDeps;
  let a: SeededClinic;
  let b: SeededClinic;

  beforeAll(async () => {
    deps = serviceDeps(ctx.db);
    a = await seedClinic(ctx.db, 'Roles A');
    b = await seedClinic(ctx.db, 'Roles B');
  });

  describe('roles', () => {
    it('promotes and demotes at once: the open session carries the new role, audited from → to', async () => {
      const signedIn = await signIn(deps, NOBODY, {
        email: a.practitionerEmail,
        password: PASSWORD,
      });
      const before = await authenticateStaffSession(deps, { cookie: signedIn.sessionToken });
      expect(before?.role).toBe('practitioner');

      const promoted = await changeStaffRole(deps, adminOf(a), {
        userId: a.practitionerId,
        role: 'admin',
      });
      expect(promoted.role).toBe('admin');
      const after = await authenticateStaffSession(deps, { cookie: signedIn.sessionToken });
      expect(after?.role).toBe('admin');

      await changeStaffRole(deps, adminOf(a), { userId: a.practitionerId, role: 'practitioner' });
      const demoted = await authenticateStaffSession(deps, { cookie: signedIn.sessionToken });
      expect(demoted?.role).toBe('practitioner');

      const events = await auditActions(ctx.db, 'staff.role_change');
      const changes = events
        .filter((e) => e.subjectId === a.practitionerId)
        .map((e) => JSON.parse(e.details) as { from: string; to: string })
        .map((d) => `${d.from}>${d.to}`);
      expect(changes.sort()).toEqual(['admin>practitioner', 'practitioner>admin']);
    });

    it("never demotes or deactivates the clinic's last active admin; an invited admin without a password does not count", async () => {
      const c = await seedClinic(ctx.db, 'Last Admin');
      // An admin who was only invited cannot administer yet: they do not count.
      await createStaff(deps, adminOf(c), {
        email: `invited.${Date.now()}@example.test`,
        displayName: 'Ivo Invited',
        role: 'admin',
      });
      const demote = await refusal(
        changeStaffRole(deps, adminOf(c), { userId: c.adminId, role: 'practitioner' }),
      );
      expect(demote.code).toBe('conflict');
      expect(demote.detail).toContain("Ada Admin is the clinic's last active admin");
      expect(demote.errors.map((e) => e.field)).toEqual(['role']);
      expect((await findStaffById(ctx.db, c.adminId))?.role).toBe('admin');

      // With a second admin who has a password, the first may step down…
      await changeStaffRole(deps, adminOf(c), { userId: c.practitionerId, role: 'admin' });
      const stepped = await changeStaffRole(deps, adminOf(c), {
        userId: c.adminId,
        role: 'practitioner',
      });
      expect(stepped.role).toBe('practitioner');
      // …and then the remaining admin can be neither demoted nor deactivated.
      const newAdmin = { ...adminOf(c), userId: c.practitionerId };
      expect(
        (
          await refusal(
            changeStaffRole(deps, newAdmin, { userId: c.practitionerId, role: 'practitioner' }),
          )
        ).code,
      ).toBe('conflict');
      const other = await insertStaffUser(ctx.db, {
        clinicId: c.clinicId,
        email: `second.${Date.now()}@example.test`,
        displayName: 'Second Admin',
        role: 'admin',
        passwordHash: await createPasswordHasher(TEST_ARGON2).hash('a long enough password'),
        createdAt: deps.clock.now(),
      });
      // Deactivating one of two admins is fine; the last one is refused with its name.
      await deactivateStaff(deps, newAdmin, { userId: other.id });
      const lastOne = await refusal(
        deactivateStaff(deps, { ...newAdmin, userId: other.id }, { userId: c.practitionerId }),
      );
      expect(lastOne.code).toBe('conflict');
      expect(lastOne.detail).toContain('cannot be deactivated');
      expect((await findStaffById(ctx.db, c.practitionerId))?.active).toBe(true);
    });

    it('refuses a bad role, a foreign or malformed id, and anyone but an admin; nothing changes', async () => {
      const bad = await refusal(
        changeStaffRole(deps, adminOf(a), {
          userId: a.practitionerId,
          role: 'owner' as 'admin',
        }),
      );
      expect(bad.code).toBe('validation_failed');
      expect(bad.errors.map((e) => e.field)).toEqual(['role']);
      for (const userId of [b.practitionerId, 'not-a-uuid', '00000000-0000-4000-8000-000000000000'])
        expect(
          (await refusal(changeStaffRole(deps, adminOf(a), { userId, role: 'admin' }))).code,
        ).toBe('not_found');
      for (const actor of [practitionerOf(a), tokenOf(a), NOBODY])
        expect(
          (await refusal(changeStaffRole(deps, actor, { userId: a.practitionerId, role: 'admin' })))
            .code,
        ).toMatch(/forbidden|unauthenticated/);
      expect((await findStaffById(ctx.db, b.practitionerId))?.role).toBe('practitioner');
      expect((await findStaffById(ctx.db, a.practitionerId))?.role).toBe('practitioner');
    });
  });

  describe('API tokens', () => {
    it('expire after 90 days by default or the days chosen (1–365); an expired token is refused saying so', async () => {
      const now = deps.clock.now().getTime();
      const standard = await createApiToken(deps, adminOf(a), { name: 'standard' });
      expect(Date.parse(standard.expiresAt ?? '')).toBe(now + 90 * DAY_MS);
      const short = await createApiToken(deps, adminOf(a), { name: 'short', expiresInDays: 1 });
      expect(Date.parse(short.expiresAt ?? '')).toBe(now + DAY_MS);
      for (const expiresInDays of [0, 366, 1.5, -3]) {
        const bad = await refusal(createApiToken(deps, adminOf(a), { name: 'bad', expiresInDays }));
        expect(bad.errors.map((e) => e.field)).toEqual(['expiresInDays']);
      }
      expect((await listClinicApiTokens(deps, adminOf(a))).map((t) => t.name)).not.toContain('bad');

      expect((await authenticateApiToken(deps, { token: short.token })).tokenId).toBe(short.id);
      deps.clock.advance(DAY_MS);
      const expired = await refusal(authenticateApiToken(deps, { token: short.token }));
      expect(expired.code).toBe('unauthenticated');
      expect(expired.detail).toContain('expired');
      expect((await authenticateApiToken(deps, { token: standard.token })).tokenId).toBe(
        standard.id,
      );
      deps.clock.advance(-DAY_MS);
    });

    it('list who made each token, when, until when, and its last use', async () => {
      const made = await createApiToken(deps, adminOf(b), {
        name: 'EHR bridge',
        expiresInDays: 30,
      });
      await authenticateApiToken(deps, { token: made.token });
      const listed = (await listClinicApiTokens(deps, adminOf(b))).find((t) => t.id === made.id);
      expect(listed).toMatchObject({
        name: 'EHR bridge',
        createdBy: b.adminId,
        createdByName: 'Ada Admin',
        createdAt: deps.clock.now().toISOString(),
        expiresAt: new Date(deps.clock.now().getTime() + 30 * DAY_MS).toISOString(),
        lastUsedAt: deps.clock.now().toISOString(),
      });
    });
  });

  describe('one address in two clinics', () => {
    const email = `both.${Date.now()}@example.test`;
    const hasher = createPasswordHasher(TEST_ARGON2);
    let inA: string;
    let inB: string;

    beforeAll(async () => {
      const make = async (clinicId: string, password: string) =>
        (
          await insertStaffUser(ctx.db, {
            clinicId,
            email,
            displayName: 'Bea Both',
            role: 'practitioner',
            passwordHash: await hasher.hash(password),
            createdAt: deps.clock.now(),
          })
        ).id;
      inA = await make(a.clinicId, 'password of clinic A');
      inB = await make(b.clinicId, 'password of clinic B');
    });

    it('signs in to the account whose password was typed', async () => {
      const toA = await signIn(deps, NOBODY, { email, password: 'password of clinic A' });
      expect(toA.user.id).toBe(inA);
      expect(toA.clinic?.id).toBe(a.clinicId);
      const toB = await signIn(deps, NOBODY, {
        email: email.toUpperCase(),
        password: 'password of clinic B',
      });
      expect(toB.user.id).toBe(inB);
    });

    it('a wrong password is the usual refusal and counts against each account', async () => {
      const wrong = await refusal(signIn(deps, NOBODY, { email, password: 'not the password' }));
      expect(wrong.code).toBe('unauthenticated');
      expect(wrong.detail).toBe('The e-mail address or password is wrong.');
      expect((await findStaffById(ctx.db, inA))?.failedLogins).toBe(1);
      expect((await findStaffById(ctx.db, inB))?.failedLogins).toBe(1);
      await signIn(deps, NOBODY, { email, password: 'password of clinic A' });
      await signIn(deps, NOBODY, { email, password: 'password of clinic B' });
      expect((await findStaffById(ctx.db, inA))?.failedLogins).toBe(0);
    });

    it('the same password in both clinics asks which clinic, naming only those two; clinicId decides', async () => {
      const same = 'one password for both clinics';
      const hash = await hasher.hash(same);
      await ctx.db
        .updateTable('staff_users')
        .set({ password_hash: hash })
        .where('id', 'in', [inA, inB])
        .execute();
      const choice = await refusal(signIn(deps, NOBODY, { email, password: same }));
      expect(choice).toBeInstanceOf(ClinicChoiceNeeded);
      expect(choice.code).toBe('conflict');
      expect(choice.errors.map((e) => e.field)).toEqual(['clinicId']);
      expect((choice as ClinicChoiceNeeded).clinics.map((c) => c.id).sort()).toEqual(
        [a.clinicId, b.clinicId].sort(),
      );
      const toB = await signIn(deps, NOBODY, { email, password: same, clinicId: b.clinicId });
      expect(toB.user.id).toBe(inB);
      // A clinic where the address has no account is just a wrong sign-in.
      const c = await seedClinic(ctx.db, 'Elsewhere');
      expect(
        (await refusal(signIn(deps, NOBODY, { email, password: same, clinicId: c.clinicId }))).code,
      ).toBe('unauthenticated');
    });
  });
});
