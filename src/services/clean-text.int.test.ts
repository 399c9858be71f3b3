import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { adminOf, practitionerOf, serviceDeps, type TestDeps } from '../../test/service-deps.ts';
import { countRows, type SeededClinic, seedClinic, T0 } from '../api/test-support.ts';
import { createApiToken } from './api-tokens.ts';
import { updateClinic } from './clinic-settings.ts';
import { createPatient } from './patients.ts';
import { recordSession } from './record-session.ts';
import { createStaff } from './staff.ts';

/**
 * Every service that takes free text stores it cleaned, on both dialects (decision 1201); names
 * with control characters are refused instead (decision 1122).
 */
describeEachDialect('free text through the services', (ctx) => {
  let deps: TestDeps;
  let clinic: SeededClinic;
  beforeAll(async () => {
    deps = serviceDeps(ctx.db);
    clinic = await seedClinic(ctx.db, 'Text Clinic');
  });

  it('a NUL or other control character in a name is refused naming the field, never a 500', async () => {
    const prac = practitionerOf(clinic);
    const admin = adminOf(clinic);
    const before = await countRows(ctx.db);
    const calls: [string, () => Promise<unknown>][] = [
      ['displayName', () => createPatient(deps, prac, { displayName: ' Ana\u0000 López\u0007 ' })],
      [
        'patient.displayName',
        () =>
          recordSession(deps, prac, {
            patient: { displayName: 'Luis\u0000\nGarcía', phone: '+34 600 000 111' },
            performedAt: T0,
            sites: [{ muscle: 'tibialis-anterior', side: 'right' }],
          }),
      ],
      [
        'displayName',
        () => createStaff(deps, admin, { email: 'text@example.test', displayName: 'Dr\u0000 Who' }),
      ],
      ['name', () => createApiToken(deps, admin, { name: 'EHR\u0000 sync' })],
      ['name', () => updateClinic(deps, admin, { name: 'Clínica\u0000 Norte' })],
    ];
    for (const [field, call] of calls)
      await expect(call()).rejects.toMatchObject({
        code: 'validation_failed',
        errors: [{ field }],
      });
    expect(await countRows(ctx.db)).toEqual(before);
    // Names stay clean on both dialects: trimmed, one space, NFC.
    const patient = await createPatient(deps, prac, { displayName: '  Ana   Lo\u0301pez ' });
    expect(patient.displayName).toBe('Ana López');
  });

  it('a name with nothing left after cleaning is refused, naming the field, storing nothing', async () => {
    const before = await countRows(ctx.db);
    await expect(
      createPatient(deps, practitionerOf(clinic), { displayName: '\u0000\u0001 ' }),
    ).rejects.toMatchObject({ code: 'validation_failed', errors: [{ field: 'displayName' }] });
    expect(await countRows(ctx.db)).toEqual(before);
  });
});
