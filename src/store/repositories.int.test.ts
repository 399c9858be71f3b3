import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import {
  findApiTokenByHash,
  insertApiToken,
  listApiTokens,
  revokeApiToken,
  touchApiToken,
} from './api-tokens.repository.ts';
import { insertAssessment, insertCheckIn, listCheckInsForSession } from './checkins.repository.ts';
import { findClinic, insertClinic, updateClinicSettings } from './clinics.repository.ts';
import { findLinkByTokenHash, insertPatientLink, revokeLink } from './links.repository.ts';
import { findPatient, insertPatient, searchPatients } from './patients.repository.ts';
import {
  findNeedlingSession,
  insertNeedlingSession,
  listSessionsForPatient,
} from './sessions.repository.ts';
import {
  deleteStaffSession,
  findStaffByEmail,
  findStaffById,
  findStaffSession,
  insertStaffSession,
  insertStaffUser,
  listStaff,
  recordFailedLogin,
  resetFailedLogins,
  touchStaffSession,
  updateStaffUser,
} from './staff.repository.ts';
import { FIXED_NOW, seedClinic, seedSession, seedStaff } from './test-fixtures.ts';

describeEachDialect('repositories', (ctx) => {
  describe('clinics', () => {
    it('round-trips settings with defaults and JSON', async () => {
      const clinic = await insertClinic(ctx.db, {
        name: 'Fisio Norte',
        timeZone: 'Europe/Madrid',
        emergencyNumber: '112',
        contactPhone: '+34 600 000 000',
        defaultLanguage: 'es',
        coverage: { mon: [['08:00', '18:00']], sat: [['09:00', '13:00']] },
        createdAt: new Date('2026-11-25T15:03:00+01:00'),
      });
      expect(clinic.createdAt).toBe('2026-11-25T14:03:00.000Z');
      expect(clinic.languages).toEqual(['es']);
      expect(clinic.checkInPlanHours).toEqual([4, 24, 48, 72, 168]);
      expect(clinic.thoracicPlanHours).toEqual([2, 6, 24, 48, 72, 168]);
      expect(clinic.linkTtlDays).toBe(14);
      expect(clinic.quietHours).toBeNull();
      expect(await findClinic(ctx.db, clinic.id)).toEqual(clinic);

      const updated = await updateClinicSettings(ctx.db, clinic.id, {
        languages: ['es', 'en'],
        quietHours: { start: '21:00', end: '08:00' },
        linkTtlDays: 7,
        escalation: { urgentAfterMinutes: 30 },
      });
      expect(updated).toMatchObject({
        name: 'Fisio Norte',
        languages: ['es', 'en'],
        quietHours: { start: '21:00', end: '08:00' },
        linkTtlDays: 7,
        escalation: { urgentAfterMinutes: 30 },
        coverage: { mon: [['08:00', '18:00']], sat: [['09:00', '13:00']] },
      });
      expect(await updateClinicSettings(ctx.db, clinic.id, {})).toEqual(updated);
      expect(await updateClinicSettings(ctx.db, 'nope', { name: 'x' })).toBeUndefined();
      expect(await findClinic(ctx.db, 'nope')).toBeUndefined();
    });
  });

  describe('staff', () => {
    it('stores e-mail lower-case, unique, and finds case-insensitively', async () => {
      const clinic = await seedClinic(ctx.db);
      const email = `Dr.${randomUUID()}@Clinic.Test`;
      const user = await insertStaffUser(ctx.db, {
        clinicId: clinic.id,
        email,
        displayName: 'Dr Who',
        role: 'admin',
        passwordHash: 'h',
        createdAt: FIXED_NOW,
      });
      expect(user).toMatchObject({ email: email.toLowerCase(), active: true, failedLogins: 0 });
      expect(await findStaffByEmail(ctx.db, email.toUpperCase())).toEqual(user);
      expect(await findStaffById(ctx.db, user.id)).toEqual(user);
      await expect(
        insertStaffUser(ctx.db, {
          clinicId: clinic.id,
          email: email.toUpperCase(),
          displayName: 'dup',
          role: 'practitioner',
          passwordHash: 'h',
          createdAt: FIXED_NOW,
        }),
      ).rejects.toThrow();
    });

    it('lists a clinic’s staff only and updates within the clinic', async () => {
      const clinic = await seedClinic(ctx.db);
      const other = await seedClinic(ctx.db);
      const a = await seedStaff(ctx.db, clinic.id, 'admin');
      await seedStaff(ctx.db, other.id);
      expect((await listStaff(ctx.db, clinic.id)).map((u) => u.id)).toEqual([a.id]);
      expect(await updateStaffUser(ctx.db, other.id, a.id, { active: false })).toBeUndefined();
      const updated = await updateStaffUser(ctx.db, clinic.id, a.id, {
        active: false,
        role: 'practitioner',
      });
      expect(updated).toMatchObject({ active: false, role: 'practitioner' });
    });

    it('counts failed logins atomically and locks at the limit', async () => {
      const clinic = await seedClinic(ctx.db);
      const u = await seedStaff(ctx.db, clinic.id);
      const policy = { maxFailures: 3, lockUntil: '2026-11-25T14:18:00.000Z' };
      const results = await Promise.all(
        [1, 2, 3].map(() => recordFailedLogin(ctx.db, u.id, policy)),
      );
      expect(results.map((r) => r.failedLogins).sort()).toEqual([1, 2, 3]);
      expect(await findStaffById(ctx.db, u.id)).toMatchObject({
        failedLogins: 3,
        lockedUntil: '2026-11-25T14:18:00.000Z',
      });
      await resetFailedLogins(ctx.db, u.id);
      expect(await findStaffById(ctx.db, u.id)).toMatchObject({
        failedLogins: 0,
        lockedUntil: null,
      });
    });

    it('finds live sessions only, touches and deletes them', async () => {
      const clinic = await seedClinic(ctx.db);
      const u = await seedStaff(ctx.db, clinic.id);
      const idHash = randomUUID();
      await insertStaffSession(ctx.db, {
        idHash,
        userId: u.id,
        clinicId: clinic.id,
        csrfToken: 'csrf',
        createdAt: FIXED_NOW,
        expiresAt: '2026-11-25T22:03:00.000Z',
      });
      const found = await findStaffSession(ctx.db, idHash, FIXED_NOW);
      expect(found).toMatchObject({ idHash, userId: u.id, csrfToken: 'csrf', user: { id: u.id } });
      expect(await findStaffSession(ctx.db, idHash, '2026-11-25T22:03:00.000Z')).toBeUndefined();
      expect(
        await touchStaffSession(ctx.db, idHash, {
          lastSeenAt: '2026-11-25T15:00:00Z',
          expiresAt: '2026-11-26T15:00:00Z',
        }),
      ).toBe(true);
      expect(await findStaffSession(ctx.db, idHash, '2026-11-25T23:00:00Z')).toMatchObject({
        lastSeenAt: '2026-11-25T15:00:00.000Z',
        expiresAt: '2026-11-26T15:00:00.000Z',
      });
      await updateStaffUser(ctx.db, clinic.id, u.id, { active: false });
      expect(await findStaffSession(ctx.db, idHash, FIXED_NOW)).toBeUndefined();
      expect(await deleteStaffSession(ctx.db, idHash)).toBe(true);
      expect(await deleteStaffSession(ctx.db, idHash)).toBe(false);
    });
  });

  describe('api tokens', () => {
    it('round-trips, touches, revokes once, lists per clinic', async () => {
      const clinic = await seedClinic(ctx.db);
      const admin = await seedStaff(ctx.db, clinic.id, 'admin');
      const tokenHash = randomUUID();
      const token = await insertApiToken(ctx.db, {
        clinicId: clinic.id,
        name: 'EHR bridge',
        tokenHash,
        createdBy: admin.id,
        createdAt: FIXED_NOW,
        expiresAt: '2027-02-23T10:00:00.000Z',
      });
      expect(await findApiTokenByHash(ctx.db, tokenHash)).toEqual(token);
      await touchApiToken(ctx.db, token.id, '2026-11-25T15:00:00Z');
      expect(await revokeApiToken(ctx.db, 'other-clinic', token.id, FIXED_NOW)).toBe(false);
      expect(await revokeApiToken(ctx.db, clinic.id, token.id, FIXED_NOW)).toBe(true);
      expect(await revokeApiToken(ctx.db, clinic.id, token.id, FIXED_NOW)).toBe(false);
      expect(await listApiTokens(ctx.db, clinic.id)).toEqual([
        {
          ...token,
          lastUsedAt: '2026-11-25T15:00:00.000Z',
          revokedAt: FIXED_NOW,
          createdByName: admin.displayName,
        },
      ]);
    });
  });

  describe('patients', () => {
    it('finds a phone number however it is typed (decision 1227)', async () => {
      const clinic = await seedClinic(ctx.db);
      const other = await seedClinic(ctx.db);
      const base = { clinicId: clinic.id, language: 'en' as const, createdAt: FIXED_NOW };
      const pct = await insertPatient(ctx.db, {
        ...base,
        displayName: 'Pat International',
        phone: '+44 7700 900123',
      });
      // Without spaces, with the trunk 0 instead of the country code, or with the code where
      // the record has the trunk 0.
      const national = await insertPatient(ctx.db, {
        ...base,
        createdAt: '2026-11-26T09:00:00.000Z',
        displayName: 'Nora National',
        phone: '07700 900456',
      });
      for (const [q, who] of [
        ['7700900123', pct.id],
        ['07700900123', pct.id],
        ['+447700900123', pct.id],
        ['+44 (0)7700-900.123', pct.id],
        ['07700900456', national.id],
        ['+44 7700 900456', national.id],
        ['+447700900456', national.id],
      ] as const) {
        expect(
          (await searchPatients(ctx.db, clinic.id, q, 10)).map((p) => p.id),
          q,
        ).toEqual([who]);
      }
      expect(await searchPatients(ctx.db, other.id, '7700900123', 10)).toEqual([]);
      // Fewer than 4 digits: only the plain substring search, so no trunk 0 is dropped.
      expect(await searchPatients(ctx.db, clinic.id, '0770', 10)).toHaveLength(1);
      expect(await searchPatients(ctx.db, clinic.id, '077', 10)).toHaveLength(1);
      expect(await searchPatients(ctx.db, clinic.id, '555', 10)).toEqual([]);
    });

    it('scopes by clinic and searches case-insensitively with literal wildcards', async () => {
      const clinic = await seedClinic(ctx.db);
      const other = await seedClinic(ctx.db);
      const base = { clinicId: clinic.id, language: 'en' as const, createdAt: FIXED_NOW };
      const maria = await insertPatient(ctx.db, { ...base, displayName: 'María López' });
      const pct = await insertPatient(ctx.db, {
        ...base,
        createdAt: '2026-11-26T10:00:00.000Z',
        displayName: 'Bob 100%',
        email: 'BOB@example.test',
        phone: '+44 7700 900123',
      });
      await insertPatient(ctx.db, { ...base, clinicId: other.id, displayName: 'María Other' });
      expect(await findPatient(ctx.db, clinic.id, maria.id)).toEqual(maria);
      expect(await findPatient(ctx.db, other.id, maria.id)).toBeUndefined();
      expect((await searchPatients(ctx.db, clinic.id, 'lóp', 10)).map((p) => p.id)).toEqual([
        maria.id,
      ]);
      expect((await searchPatients(ctx.db, clinic.id, 'bob@', 10)).map((p) => p.id)).toEqual([
        pct.id,
      ]);
      expect((await searchPatients(ctx.db, clinic.id, '7700', 10)).map((p) => p.id)).toEqual([
        pct.id,
      ]);
      expect((await searchPatients(ctx.db, clinic.id, '0%', 10)).map((p) => p.id)).toEqual([
        pct.id,
      ]);
      expect(await searchPatients(ctx.db, clinic.id, '_', 10)).toEqual([]);
      expect((await searchPatients(ctx.db, clinic.id, '', 10)).map((p) => p.id)).toEqual([
        pct.id,
        maria.id,
      ]);
      expect(await searchPatients(ctx.db, clinic.id, '', 1)).toHaveLength(1);
      // Accents and case fold both ways; paging continues after the cursor, newest first.
      expect((await searchPatients(ctx.db, clinic.id, 'MARIA lop', 10)).map((p) => p.id)).toEqual([
        maria.id,
      ]);
      const lucia = await insertPatient(ctx.db, { ...base, displayName: 'Lucía Peña' });
      for (const q of ['lucia', 'LUCIA', 'lucía', 'pena']) {
        expect((await searchPatients(ctx.db, clinic.id, q, 10)).map((p) => p.id)).toEqual([
          lucia.id,
        ]);
      }
      const page1 = await searchPatients(ctx.db, clinic.id, '', 1);
      expect(page1.map((p) => p.id)).toEqual([pct.id]);
      const [last] = page1;
      if (last === undefined) throw new Error('no page');
      const rest = await searchPatients(ctx.db, clinic.id, '', 10, last);
      expect(rest.map((p) => p.id).sort()).toEqual([maria.id, lucia.id].sort());
      expect((rest[0]?.id ?? '') > (rest[1]?.id ?? '')).toBe(true);
    });
  });

  describe('needling sessions', () => {
    it('stores sites in order and reads them back per clinic', async () => {
      const { clinic, patient, practitioner, session } = await seedSession(ctx.db);
      expect(session.sites.map((s) => [s.position, s.muscle, s.side, s.needleCount])).toEqual([
        [0, 'upper_trapezius', 'left', 2],
        [1, 'gluteus_medius', 'right', null],
      ]);
      expect(await findNeedlingSession(ctx.db, clinic.id, session.id)).toEqual(session);
      expect(await findNeedlingSession(ctx.db, 'other', session.id)).toBeUndefined();
      const later = await insertNeedlingSession(ctx.db, {
        clinicId: clinic.id,
        patientId: patient.id,
        practitionerId: practitioner.id,
        performedAt: '2026-12-02T10:00:00Z',
        thoracic: true,
        bilateralThoracic: true,
        notes: 'T4–T6 paraspinals',
        createdAt: '2026-12-02T10:05:00Z',
        sites: [
          { muscle: 'thoracic_paraspinals', side: 'left' },
          { muscle: 'thoracic_paraspinals', side: 'right' },
        ],
      });
      expect(later).toMatchObject({ thoracic: true, bilateralThoracic: true });
      const list = await listSessionsForPatient(ctx.db, clinic.id, patient.id);
      expect(list.map((s) => s.id)).toEqual([later.id, session.id]);
      expect(list[0]?.sites).toHaveLength(2);
    });
  });

  describe('patient links', () => {
    it('resolves a token hash to link, session and patient; revokes once', async () => {
      const { clinic, patient, session } = await seedSession(ctx.db);
      const tokenHash = randomUUID();
      const link = await insertPatientLink(ctx.db, {
        sessionId: session.id,
        clinicId: clinic.id,
        tokenHash,
        createdAt: FIXED_NOW,
        expiresAt: '2026-12-09T14:03:00Z',
      });
      expect(await findLinkByTokenHash(ctx.db, tokenHash)).toEqual({
        ...link,
        patientId: patient.id,
      });
      expect(await findLinkByTokenHash(ctx.db, 'unknown')).toBeUndefined();
      expect(await revokeLink(ctx.db, clinic.id, link.id, FIXED_NOW)).toBe(true);
      expect(await revokeLink(ctx.db, clinic.id, link.id, FIXED_NOW)).toBe(false);
      expect((await findLinkByTokenHash(ctx.db, tokenHash))?.revokedAt).toBe(FIXED_NOW);
    });
  });

  describe('check-ins and assessments', () => {
    it('lists check-ins in time order with their assessments', async () => {
      const { clinic, session } = await seedSession(ctx.db);
      const base = { sessionId: session.id, clinicId: clinic.id, source: 'patient' as const };
      const second = await insertCheckIn(ctx.db, {
        ...base,
        receivedAt: '2026-11-26T14:03:00Z',
        hoursAfter: 24,
        soreness: 3,
        symptoms: [],
      });
      const first = await insertCheckIn(ctx.db, {
        ...base,
        receivedAt: '2026-11-25T18:33:00Z',
        hoursAfter: 4.5,
        soreness: 6,
        symptoms: ['chest_pain', 'shortness_of_breath'],
        note: 'hurts when breathing in',
      });
      const assessment = await insertAssessment(ctx.db, {
        checkInId: first.id,
        sessionId: session.id,
        clinicId: clinic.id,
        disposition: 'emergency',
        rules: ['E1', 'C2'],
        rulebookVersion: '1.0.0',
        phase: 'early',
        thoracic: false,
        createdAt: '2026-11-25T18:33:00Z',
      });
      await expect(insertAssessment(ctx.db, { ...assessment, id: randomUUID() })).rejects.toThrow();
      const list = await listCheckInsForSession(ctx.db, session.id);
      expect(list).toEqual([
        { ...first, assessment },
        { ...second, assessment: null },
      ]);
      expect(list[0]).toMatchObject({
        hoursAfter: 4.5,
        symptoms: ['chest_pain', 'shortness_of_breath'],
        note: 'hurts when breathing in',
      });
    });
  });
});
