import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { countRows, makeTestApp, type SeededClinic, seedClinic, T0 } from '../api/test-support.ts';
import { updateClinicSettings } from '../store/clinics.repository.ts';
import type { AnonymousActor, LinkActor, StaffActor } from './actors.ts';
import type { ManualClock } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import { type ActiveLink, readCheckInAnswer, resolvePatientLink } from './patient-link.ts';
import { createPatient, searchPatients } from './patients.ts';
import { recordSession, recordSessionOnce } from './record-session.ts';
import { stopReminders } from './stop-reminders.ts';
import { pressEmergencyButton, submitCheckIn } from './submit-check-in.ts';

const base = { ip: '127.0.0.1', requestId: 'service-test' } as const;
const nobody: AnonymousActor = { ...base, kind: 'anonymous', clinicId: null, actorId: null };
const LEG = { muscle: 'tibialis-anterior', side: 'right' } as const;

describeEachDialect('services: the patient side', (ctx) => {
  let app: FastifyInstance;
  let clock: ManualClock;
  let deps: ServiceDeps;
  let clinic: SeededClinic;
  let staff: StaffActor;

  beforeAll(async () => {
    ({ app, clock } = await makeTestApp(ctx.db));
    deps = app.deps;
    clinic = await seedClinic(ctx.db, 'Service Clinic');
    staff = {
      ...base,
      kind: 'staff',
      userId: clinic.practitionerId,
      clinicId: clinic.clinicId,
      role: 'practitioner',
    };
  });

  /** A session performed half an hour ago, and its link as its holder resolves it. */
  async function session(): Promise<{ link: ActiveLink; actor: LinkActor; token: string }> {
    clock.set(T0);
    const recorded = await recordSession(deps, staff, {
      patient: { displayName: 'Service Patient', phone: '+44 7700 900000' },
      performedAt: new Date(Date.parse(T0) - 30 * 60_000).toISOString(),
      sites: [LEG],
    });
    const token = recorded.link.url.split('/p/')[1] ?? '';
    const link = await resolvePatientLink(deps, nobody, token);
    return {
      link,
      token,
      actor: { ...base, kind: 'patient_link', linkId: link.id, clinicId: link.clinicId },
    };
  }

  describe('who may act', () => {
    it('only a clinic actor records a session or touches patients', async () => {
      const before = await countRows(ctx.db);
      const body = {
        patient: { displayName: 'X', noContact: true },
        performedAt: T0,
        sites: [LEG],
      };
      await expect(recordSession(deps, nobody, body)).rejects.toMatchObject({
        code: 'unauthenticated',
      });
      await expect(createPatient(deps, nobody, { displayName: 'X' })).rejects.toMatchObject({
        code: 'unauthenticated',
      });
      await expect(searchPatients(deps, nobody, { q: 'x', limit: 5 })).rejects.toMatchObject({
        code: 'unauthenticated',
      });
      expect(await countRows(ctx.db)).toEqual(before);
    });

    it("a link's holder cannot check in on another link", async () => {
      const mine = await session();
      const theirs = await session();
      const before = await countRows(ctx.db);
      await expect(
        submitCheckIn(deps, mine.actor, {
          link: theirs.link,
          input: { soreness: 9, symptoms: [] },
          source: 'patient',
          idempotencyKey: undefined,
        }),
      ).rejects.toMatchObject({ code: 'not_found' });
      await expect(
        pressEmergencyButton(deps, mine.actor, { link: theirs.link, idempotencyKey: undefined }),
      ).rejects.toMatchObject({ code: 'not_found' });
      expect(await countRows(ctx.db)).toEqual(before);
    });
  });

  describe('resolvePatientLink', () => {
    it('an unknown or oversized token is not_found; an expired one is link_gone and audited', async () => {
      await expect(resolvePatientLink(deps, nobody, 'x'.repeat(43))).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(resolvePatientLink(deps, nobody, 'x'.repeat(5000))).rejects.toMatchObject({
        code: 'not_found',
      });
      const s = await session();
      clock.set('2026-12-25T09:00:00.000Z');
      await expect(resolvePatientLink(deps, nobody, s.token)).rejects.toMatchObject({
        code: 'link_gone',
      });
      const refused = await ctx.db
        .selectFrom('audit_events')
        .select(['actor_type', 'actor_id', 'subject_id'])
        .where('action', '=', 'patient_link.refused')
        .where('subject_id', '=', s.link.id)
        .execute();
      expect(refused).toEqual([
        { actor_type: 'patient_link', actor_id: s.link.id, subject_id: s.link.id },
      ]);
    });
  });

  describe('readCheckInAnswer', () => {
    it('reminds of an earlier unacknowledged urgent answer and says when the closed clinic opens', async () => {
      await updateClinicSettings(ctx.db, clinic.clinicId, {
        coverage: { mon: [['08:00', '18:00']] },
        escalation: { afterHoursPhone: '+34 900 000 111' },
      });
      const s = await session();
      clock.set('2026-11-25T20:00:00.000Z'); // a Wednesday evening: closed until Monday
      const first = await submitCheckIn(deps, s.actor, {
        link: s.link,
        input: { soreness: 3, symptoms: ['fever'] },
        source: 'patient',
        idempotencyKey: undefined,
      });
      expect(first.body.assessment.disposition).toBe('urgent_same_day');
      clock.set('2026-11-26T20:00:00.000Z'); // Thursday evening, still closed
      const second = await submitCheckIn(deps, s.actor, {
        link: s.link,
        input: { soreness: 2, symptoms: [] },
        source: 'patient',
        idempotencyKey: undefined,
      });
      const answer = await readCheckInAnswer(deps, s.actor, {
        link: s.link,
        checkInId: second.body.checkIn.id,
      });
      expect(answer?.checkIn.assessment.disposition).toBe('self_care');
      expect(answer?.earlierUnacknowledged).toBe('urgent_same_day');
      expect(answer?.clinicStatus).toEqual({ open: false, opensAt: '2026-11-30T07:00:00.000Z' });
      expect(answer?.afterHoursPhone).toBe('+34 900 000 111');
      const read = await ctx.db
        .selectFrom('audit_events')
        .select('details_json')
        .where('action', '=', 'patient_page.answer.read')
        .where('actor_id', '=', s.link.id)
        .execute();
      expect(read).toHaveLength(1);
      await updateClinicSettings(ctx.db, clinic.clinicId, { coverage: {}, escalation: {} });
    });

    it('is undefined for a check-in that is not of this session', async () => {
      const s = await session();
      const answer = await readCheckInAnswer(deps, s.actor, {
        link: s.link,
        checkInId: '00000000-0000-4000-8000-000000000000',
      });
      expect(answer).toBeUndefined();
    });
  });

  describe('recordSessionOnce', () => {
    it('records a form once; a second send answers with the first session', async () => {
      clock.set(T0);
      const body = {
        patient: { displayName: 'Once Patient', email: 'once@example.test' },
        performedAt: T0,
        sites: [LEG],
      };
      const first = await recordSessionOnce(deps, staff, { body, formKey: 'form-key-0001' });
      expect(first.kind).toBe('recorded');
      const before = await countRows(ctx.db);
      const again = await recordSessionOnce(deps, staff, { body, formKey: 'form-key-0001' });
      if (first.kind !== 'recorded' || again.kind !== 'already_recorded')
        throw new Error(again.kind);
      expect(again.earlier.session.id).toBe(first.recorded.session.id);
      expect(again.link?.url).toBe(first.recorded.link.url);
      expect(await countRows(ctx.db)).toEqual(before);
      const other = await recordSessionOnce(deps, staff, {
        body: { ...body, patient: { displayName: 'Other Patient', email: 'o@example.test' } },
        formKey: 'form-key-0001',
      });
      expect(other.kind).toBe('key_reused');
      expect(await countRows(ctx.db)).toEqual(before);
    });
  });

  describe('stopReminders', () => {
    it('runs the outbox hook in its transaction and audits the count, also on a revoked link', async () => {
      const s = await session();
      const calls: string[] = [];
      const withHook: ServiceDeps = {
        ...deps,
        events: {
          remindersStopped: async (_trx, e) => {
            calls.push(e.sessionId);
            return 3;
          },
        },
      };
      await ctx.db
        .updateTable('patient_links')
        .set({ revoked_at: T0 })
        .where('id', '=', s.link.id)
        .execute();
      const result = await stopReminders(withHook, nobody, { token: s.token });
      expect(result).toMatchObject({ cancelled: 3, sessionId: s.link.sessionId });
      expect(calls).toEqual([s.link.sessionId]);
      const audit = await ctx.db
        .selectFrom('audit_events')
        .select(['actor_type', 'actor_id', 'details_json'])
        .where('action', '=', 'reminders.stop')
        .where('subject_id', '=', s.link.sessionId)
        .executeTakeFirstOrThrow();
      expect(audit).toMatchObject({ actor_type: 'patient_link', actor_id: s.link.id });
      expect(JSON.parse(audit.details_json)).toMatchObject({ cancelled: 3 });
      await expect(stopReminders(deps, nobody, { token: 'nope' })).rejects.toMatchObject({
        code: 'not_found',
      });
    });
  });
});
