import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { appendAuditEvent, appendAuditEventsInBulk, verifyAuditChain } from './audit.repository.ts';
import { insertRowsInBulk } from './bulk.repository.ts';
import { seedClinic } from './test-fixtures.ts';

describeEachDialect('bulk loading', (ctx) => {
  it('inserts more rows than one statement may carry, in one transaction', async () => {
    const clinic = await seedClinic(ctx.db);
    // 7 columns × 6,000 rows = 42,000 parameters: above SQLite's limit, so several statements.
    const rows = Array.from({ length: 6000 }, (_, i) => ({
      id: `bulk-${clinic.id}-${i}`,
      clinic_id: clinic.id,
      display_name: `Patient ${i}`,
      email: null,
      phone: null,
      language: 'en',
      created_at: '2026-11-25T10:00:00.000Z',
    }));
    expect(await insertRowsInBulk(ctx.db, 'patients', rows)).toBe(6000);
    const count = await ctx.db
      .selectFrom('patients')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('clinic_id', '=', clinic.id)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(6000);
  });

  it('rolls back every statement when one row fails', async () => {
    const clinic = await seedClinic(ctx.db);
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      id: i === 4999 ? `dup-${clinic.id}-0` : `dup-${clinic.id}-${i}`,
      clinic_id: clinic.id,
      display_name: 'x',
      email: null,
      phone: null,
      language: 'en',
      created_at: '2026-11-25T10:00:00.000Z',
    }));
    await expect(insertRowsInBulk(ctx.db, 'patients', rows)).rejects.toThrow();
    const left = await ctx.db
      .selectFrom('patients')
      .select('id')
      .where('clinic_id', '=', clinic.id)
      .execute();
    expect(left).toEqual([]);
  });

  it('appends audit events in bulk as one verifiable stretch of the chain', async () => {
    const clinic = await seedClinic(ctx.db);
    await appendAuditEvent(ctx.db, {
      at: '2026-11-25T10:00:00Z',
      actorType: 'system',
      action: 'before',
      subjectType: 'clinic',
    });
    const events = Array.from({ length: 2500 }, (_, i) => ({
      at: '2026-11-25T10:00:01Z',
      clinicId: clinic.id,
      actorType: 'patient_link' as const,
      actorId: `link-${i}`,
      action: 'checkin.submit',
      subjectType: 'check_in',
      subjectId: `c-${i}`,
      details: { i },
    }));
    expect(await appendAuditEventsInBulk(ctx.db, events)).toBe(2500);
    await appendAuditEvent(ctx.db, {
      at: '2026-11-25T10:00:02Z',
      actorType: 'system',
      action: 'after',
      subjectType: 'clinic',
    });
    const report = await verifyAuditChain(ctx.db);
    expect(report.ok).toBe(true);
    expect(report.checked).toBeGreaterThanOrEqual(2502);
  });
});
