import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import {
  adminOf,
  practitionerOf,
  serviceDeps,
  type TestDeps,
  tokenOf,
} from '../../test/service-deps.ts';
import { auditActions, type SeededClinic, seedClinic } from '../api/test-support.ts';
import { findClinic } from '../store/clinics.repository.ts';
import { readClinic, updateClinic } from './clinic-settings.ts';
import { AppError } from './errors.ts';
import { readAdverseEventRegister, registerPeriodOf } from './register.ts';

async function refusal(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describeEachDialect('clinic services', (ctx) => {
  let deps: TestDeps;
  let a: SeededClinic;

  beforeAll(async () => {
    deps = serviceDeps(ctx.db);
    a = await seedClinic(ctx.db, 'Settings A');
  });

  describe('settings', () => {
    it('changes only the fields sent and audits their names', async () => {
      const updated = await updateClinic(deps, adminOf(a), {
        emergencyNumber: '911',
        coverage: { mon: [['08:00', '14:00']], sat: [] },
      });
      expect(updated).toMatchObject({
        emergencyNumber: '911',
        name: 'Settings A',
        timeZone: 'Europe/Madrid',
      });
      expect(updated.coverage.mon).toEqual([['08:00', '14:00']]);
      const [event] = await auditActions(ctx.db, 'clinic.settings.update');
      expect(JSON.parse(event?.details ?? '{}').fields).toEqual(['emergencyNumber', 'coverage']);
    });

    it('lists every meaning problem by field and stores nothing', async () => {
      const before = await findClinic(ctx.db, a.clinicId);
      const error = await refusal(
        updateClinic(deps, adminOf(a), {
          timeZone: 'Mars/Olympus',
          languages: ['es'],
          coverage: { tue: [['18:00', '08:00']] },
          checkInPlanHours: [24, 24],
        }),
      );
      expect(error.code).toBe('validation_failed');
      expect(error.errors.map((e) => e.field).sort()).toEqual(
        ['checkInPlanHours', 'coverage.tue[0]', 'languages', 'timeZone'].sort(),
      );
      expect(await findClinic(ctx.db, a.clinicId)).toEqual(before);
    });

    it('lets admins change them; every member may read them', async () => {
      for (const actor of [practitionerOf(a), tokenOf(a)]) {
        expect((await refusal(updateClinic(deps, actor, { name: 'X' }))).code).toBe('forbidden');
        expect((await readClinic(deps, actor)).id).toBe(a.clinicId);
      }
    });
  });

  describe('adverse-event register', () => {
    it('offers 30, 90 and 365 days, and 90 for anything else', () => {
      expect(['30', '365', '90', '7', undefined, 'x'].map(registerPeriodOf)).toEqual([
        30, 365, 90, 90, 90, 90,
      ]);
    });

    it("counts the caller's clinic and audits the read", async () => {
      const counts = await readAdverseEventRegister(deps, practitionerOf(a), { periodDays: 30 });
      expect(counts.all.sessions).toBe(0);
      const [event] = await auditActions(ctx.db, 'register.read');
      expect(event?.actorId).toBe(a.practitionerId);
      expect(JSON.parse(event?.details ?? '{}')).toMatchObject({ periodDays: 30, sessionCount: 0 });
    });
  });
});
