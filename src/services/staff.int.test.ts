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
import { auditActions, PASSWORD, type SeededClinic, seedClinic } from '../api/test-support.ts';
import { findStaffById, type StaffUser } from '../store/staff.repository.ts';
import { createApiToken, listClinicApiTokens, revokeClinicApiToken } from './api-tokens.ts';
import { MINUTE_MS } from './clock.ts';
import { AppError } from './errors.ts';
import type { PasswordLinkIssuedEvent } from './events.ts';
import { setPasswordWithLink } from './set-password.ts';
import { signIn, signOut } from './sign-in.ts';
import {
  createStaff,
  deactivateStaff,
  listClinicStaff,
  type NewStaffInput,
  readCaller,
  resendInvitation,
  revokeInvitation,
  unlockStaff,
} from './staff.ts';
import { authenticateApiToken, authenticateStaffSession } from './staff-auth.ts';

async function refusal(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

const LONG_PASSWORD = 'a long enough password';
let n = 0;
function freshEmail(): string {
  n += 1;
  return `svc.${Date.now()}.${n}@example.test`;
}

describeEachDialect('staff services', (ctx) => {
  let deps: TestDeps;
  const sent: PasswordLinkIssuedEvent[] = [];

  /** Invite someone and let them choose `LONG_PASSWORD` through the e-mailed link. */
  async function addStaff(input: NewStaffInput): Promise<StaffUser> {
    const user = await createStaff(deps, adminOf(a), input);
    const url = sent.at(-1)?.url ?? '';
    const token = decodeURIComponent(url.split('/set-password/')[1] ?? '');
    await setPasswordWithLink(deps, NOBODY, { token, password: LONG_PASSWORD });
    return user;
  }
  let a: SeededClinic;
  let b: SeededClinic;

  beforeAll(async () => {
    deps = {
      ...serviceDeps(ctx.db, {
        signIn: { maxFailures: 3, lockMinutes: 15, perIpMax: 1000, perIpWindowMinutes: 15 },
      }),
      events: {
        passwordLinkIssued: async (_trx, e) => {
          sent.push(e);
        },
      },
    };
    a = await seedClinic(ctx.db, 'Staff A');
    b = await seedClinic(ctx.db, 'Staff B');
  });

  describe('create', () => {
    it('makes a practitioner when no role is given, and audits the role', async () => {
      const user = await createStaff(deps, adminOf(a), {
        email: freshEmail(),
        displayName: 'Noa Norole',
      });
      expect(user).toMatchObject({ role: 'practitioner', active: true, clinicId: a.clinicId });
      const [event] = await auditActions(ctx.db, 'staff.create');
      expect(event?.subjectId).toBe(user.id);
      expect(JSON.parse(event?.details ?? '{}')).toMatchObject({ role: 'practitioner' });
    });

    it('makes an admin when asked', async () => {
      const user = await createStaff(deps, adminOf(a), {
        email: freshEmail(),
        displayName: 'Ari Admin',
        role: 'admin',
      });
      expect(user.role).toBe('admin');
    });

    it('refuses an e-mail already in use in the same clinic, in any case, naming the field', async () => {
      const email = freshEmail();
      await createStaff(deps, adminOf(a), { email, displayName: 'One' });
      const error = await refusal(
        createStaff(deps, adminOf(a), {
          email: email.toUpperCase(),
          displayName: 'Two',
        }),
      );
      expect(error.code).toBe('conflict');
      expect(error.errors.map((e) => e.field)).toEqual(['email']);
      expect(error.detail).toContain('your clinic');
    });

    it('invites an address another clinic uses as if it were new: nothing about that clinic shows', async () => {
      const email = freshEmail();
      const inA = await createStaff(deps, adminOf(a), { email, displayName: 'Same Person' });
      const inB = await createStaff(deps, adminOf(b), {
        email: email.toUpperCase(),
        displayName: 'Same Person',
      });
      expect(inB.clinicId).toBe(b.clinicId);
      expect(inB.id).not.toBe(inA.id);
      expect(inB.email).toBe(email.toLowerCase());
      expect((await listClinicStaff(deps, adminOf(b))).map((u) => u.id)).toContain(inB.id);
      expect((await listClinicStaff(deps, adminOf(b))).map((u) => u.id)).not.toContain(inA.id);
    });

    it('is for admins only: practitioners and API tokens are refused', async () => {
      const input = { email: freshEmail(), displayName: 'Nope' };
      expect((await refusal(createStaff(deps, practitionerOf(a), input))).code).toBe('forbidden');
      expect((await refusal(createStaff(deps, tokenOf(a), input))).code).toBe('forbidden');
      expect((await refusal(listClinicStaff(deps, practitionerOf(a)))).code).toBe('forbidden');
    });
  });

  describe('invitations', () => {
    it('sends a 7-day set-password link by e-mail, in the language asked, audited', async () => {
      const email = freshEmail();
      const user = await createStaff(deps, adminOf(a), {
        email,
        displayName: 'Ines Invited',
        language: 'es',
      });
      const e = sent.at(-1);
      expect(e).toMatchObject({
        purpose: 'invite',
        to: email,
        name: 'Ines Invited',
        language: 'es',
      });
      expect(Date.parse(e?.expiresAt ?? '') - deps.clock.now().getTime()).toBe(7 * 86_400_000);
      // No password at all until they choose one.
      expect((await refusal(signIn(deps, NOBODY, { email, password: '!no-password' }))).code).toBe(
        'unauthenticated',
      );
      const [event] = await auditActions(ctx.db, 'staff.invite.send');
      expect(event?.subjectId).toBe(user.id);
    });

    it('re-sends (the old link dies) and revokes (410); only while pending', async () => {
      const email = freshEmail();
      const user = await createStaff(deps, adminOf(a), { email, displayName: 'Rhea Resent' });
      const first = sent.at(-1)?.url ?? '';
      await resendInvitation(deps, adminOf(a), { userId: user.id });
      const second = sent.at(-1)?.url ?? '';
      expect(second).not.toBe(first);
      const tokenOf = (url: string) => decodeURIComponent(url.split('/set-password/')[1] ?? '');
      const setIt = (url: string) =>
        setPasswordWithLink(deps, NOBODY, { token: tokenOf(url), password: LONG_PASSWORD });
      expect((await refusal(setIt(first))).status).toBe(410);
      await revokeInvitation(deps, adminOf(a), { userId: user.id });
      expect((await refusal(setIt(second))).status).toBe(410);
      await resendInvitation(deps, adminOf(a), { userId: user.id });
      await setIt(sent.at(-1)?.url ?? '');
      expect((await refusal(resendInvitation(deps, adminOf(a), { userId: user.id }))).code).toBe(
        'conflict',
      );
      expect((await refusal(resendInvitation(deps, adminOf(b), { userId: user.id }))).code).toBe(
        'not_found',
      );
      expect((await auditActions(ctx.db, 'staff.invite.revoke'))[0]?.subjectId).toBe(user.id);
    });
  });

  describe('deactivate', () => {
    it('ends every session of the user; they cannot sign in again', async () => {
      const email = freshEmail();
      const user = await addStaff({ email, displayName: 'Dee Active' });
      const one = await signIn(deps, NOBODY, { email, password: LONG_PASSWORD });
      const two = await signIn(deps, NOBODY, { email, password: LONG_PASSWORD });
      expect(await authenticateStaffSession(deps, { cookie: one.sessionToken })).toBeDefined();
      const off = await deactivateStaff(deps, adminOf(a), { userId: user.id });
      expect(off.active).toBe(false);
      for (const s of [one, two])
        expect(await authenticateStaffSession(deps, { cookie: s.sessionToken })).toBeUndefined();
      expect((await refusal(signIn(deps, NOBODY, { email, password: LONG_PASSWORD }))).code).toBe(
        'unauthenticated',
      );
      expect((await auditActions(ctx.db, 'staff.deactivate'))[0]?.subjectId).toBe(user.id);
    });

    it("refuses oneself (conflict), and another clinic's user or a non-id (not_found)", async () => {
      expect((await refusal(deactivateStaff(deps, adminOf(a), { userId: a.adminId }))).code).toBe(
        'conflict',
      );
      for (const userId of [b.practitionerId, 'nope']) {
        expect((await refusal(deactivateStaff(deps, adminOf(a), { userId }))).code).toBe(
          'not_found',
        );
      }
      expect((await findStaffById(ctx.db, b.practitionerId))?.active).toBe(true);
    });
  });

  describe('sign-in, lock-out and unlock', () => {
    it('locks after the configured wrong passwords, audited; an admin unlock lets them in', async () => {
      const email = freshEmail();
      const user = await addStaff({ email, displayName: 'Lou Locked' });
      const wrong = () => signIn(deps, NOBODY, { email, password: 'not the password' });
      expect((await refusal(wrong())).code).toBe('unauthenticated');
      expect((await refusal(wrong())).code).toBe('unauthenticated');
      const locked = await refusal(wrong());
      expect(locked.code).toBe('too_many_requests');
      expect(locked.retryAfter).toBe(15 * 60);
      expect((await refusal(signIn(deps, NOBODY, { email, password: LONG_PASSWORD }))).code).toBe(
        'too_many_requests',
      );
      const failures = (await auditActions(ctx.db, 'auth.sign_in.failed')).filter(
        (e) => e.subjectId === user.id,
      );
      expect(failures).toHaveLength(4);
      expect(failures.every((e) => !e.details.includes(email))).toBe(true);

      expect((await refusal(unlockStaff(deps, adminOf(b), { userId: user.id }))).code).toBe(
        'not_found',
      );
      await unlockStaff(deps, adminOf(a), { userId: user.id });
      const ok = await signIn(deps, NOBODY, { email, password: LONG_PASSWORD });
      expect(ok.user.id).toBe(user.id);
      expect(ok.clinic?.id).toBe(a.clinicId);
    });

    it('signs out only the session named, as the signed-in person', async () => {
      const first = await signIn(deps, NOBODY, { email: a.practitionerEmail, password: PASSWORD });
      const second = await signIn(deps, NOBODY, { email: a.practitionerEmail, password: PASSWORD });
      const session = await authenticateStaffSession(deps, { cookie: first.sessionToken });
      if (session === undefined) throw new Error('no session');
      expect(
        (await refusal(signOut(deps, NOBODY, { sessionHash: session.sessionHash }))).code,
      ).toBe('forbidden');
      await signOut(deps, practitionerOf(a), { sessionHash: session.sessionHash });
      expect(await authenticateStaffSession(deps, { cookie: first.sessionToken })).toBeUndefined();
      expect(await authenticateStaffSession(deps, { cookie: second.sessionToken })).toBeDefined();
    });
  });

  describe('staff sessions', () => {
    it('slides the idle timeout on use, but not when asked not to or when the check refuses', async () => {
      const s = await signIn(deps, NOBODY, { email: a.adminEmail, password: PASSWORD });
      const idle = deps.config.sessionIdleMinutes * MINUTE_MS;
      deps.clock.advance(idle - MINUTE_MS);
      const quiet = await authenticateStaffSession(deps, { cookie: s.sessionToken, touch: false });
      expect(quiet?.sessionExpiresAt).toBe(s.expiresAt.toISOString());
      await expect(
        authenticateStaffSession(deps, {
          cookie: s.sessionToken,
          check: () => {
            throw new AppError('csrf_failed', 'no');
          },
        }),
      ).rejects.toMatchObject({ code: 'csrf_failed' });
      const unslid = await authenticateStaffSession(deps, { cookie: s.sessionToken, touch: false });
      expect(unslid?.sessionExpiresAt).toBe(s.expiresAt.toISOString());
      const touched = await authenticateStaffSession(deps, { cookie: s.sessionToken });
      expect(touched).toMatchObject({ kind: 'staff', role: 'admin', displayName: 'Ada Admin' });
      expect(Date.parse(touched?.sessionExpiresAt ?? '')).toBeGreaterThan(s.expiresAt.getTime());
      deps.clock.advance(idle + MINUTE_MS);
      expect(await authenticateStaffSession(deps, { cookie: s.sessionToken })).toBeUndefined();
    });
  });

  describe('API tokens', () => {
    it('mints a token that authenticates, lists it without its secret, and revokes it', async () => {
      const created = await createApiToken(deps, adminOf(a), { name: 'EHR bridge' });
      expect(created.token.startsWith('nck_')).toBe(true);
      expect(await authenticateApiToken(deps, { token: created.token })).toEqual({
        kind: 'api_token',
        tokenId: created.id,
        clinicId: a.clinicId,
      });
      const listed = await listClinicApiTokens(deps, adminOf(a));
      expect(listed.map((t) => t.id)).toContain(created.id);
      expect(JSON.stringify(listed)).not.toContain(created.token);
      expect(await listClinicApiTokens(deps, adminOf(b))).not.toContainEqual(
        expect.objectContaining({ id: created.id }),
      );
      const caller = await readCaller(deps, tokenOf(a, created.id));
      expect(caller).toMatchObject({ user: null, clinic: { id: a.clinicId } });

      expect(
        (await refusal(revokeClinicApiToken(deps, adminOf(b), { tokenId: created.id }))).code,
      ).toBe('not_found');
      await revokeClinicApiToken(deps, adminOf(a), { tokenId: created.id });
      expect((await refusal(authenticateApiToken(deps, { token: created.token }))).code).toBe(
        'unauthenticated',
      );
      expect(
        (await refusal(revokeClinicApiToken(deps, adminOf(a), { tokenId: created.id }))).code,
      ).toBe('not_found');
    });

    it('cannot be minted by a token or a practitioner', async () => {
      expect((await refusal(createApiToken(deps, tokenOf(a), { name: 'x' }))).code).toBe(
        'forbidden',
      );
      expect((await refusal(createApiToken(deps, practitionerOf(a), { name: 'x' }))).code).toBe(
        'forbidden',
      );
    });
  });
});
