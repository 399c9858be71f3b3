import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { insertAlert, listAlerts } from './alerts.repository.ts';
import { appendAuditEvent, verifyAuditChain } from './audit.repository.ts';
import { insertAssessment, insertCheckIn, listCheckInsForSession } from './checkins.repository.ts';
import { withTransaction } from './db.ts';
import { findIdempotentResponse, saveIdempotentResponse } from './idempotency.repository.ts';
import { enqueueOutbox } from './outbox.repository.ts';
import { insertPatient, searchPatients } from './patients.repository.ts';
import { seedClinic, seedSession } from './test-fixtures.ts';

describeEachDialect('transactions', (ctx) => {
  it('commits a whole check-in write (check-in, assessment, alert, outbox, audit, key)', async () => {
    const s = await seedSession(ctx.db);
    const at = '2026-11-25T18:03:00Z';
    await withTransaction(ctx.db, async (trx) => {
      const checkIn = await insertCheckIn(trx, {
        sessionId: s.session.id,
        clinicId: s.clinic.id,
        receivedAt: at,
        hoursAfter: 4,
        soreness: 8,
        symptoms: ['spreading_redness', 'fever'],
        source: 'patient',
      });
      const assessment = await insertAssessment(trx, {
        checkInId: checkIn.id,
        sessionId: s.session.id,
        clinicId: s.clinic.id,
        disposition: 'urgent_same_day',
        rules: ['U1'],
        rulebookVersion: '1.0.0',
        phase: 'early',
        thoracic: false,
        createdAt: at,
      });
      const alert = await insertAlert(trx, {
        clinicId: s.clinic.id,
        sessionId: s.session.id,
        patientId: s.patient.id,
        assessmentId: assessment.id,
        severity: 'urgent',
        createdAt: at,
      });
      await enqueueOutbox(trx, {
        clinicId: s.clinic.id,
        kind: 'alert.email',
        dedupeKey: `alert:${alert.id}:email`,
        payload: { alertId: alert.id },
        dueAt: at,
        createdAt: at,
      });
      await appendAuditEvent(trx, {
        at,
        clinicId: s.clinic.id,
        actorType: 'patient_link',
        action: 'checkin.create',
        subjectType: 'check_in',
        subjectId: checkIn.id,
      });
      await saveIdempotentResponse(trx, {
        scope: `checkin:${s.session.id}`,
        key: 'commit-key',
        requestHash: 'h',
        statusCode: 201,
        response: { id: checkIn.id },
        createdAt: at,
      });
    });
    expect(await listCheckInsForSession(ctx.db, s.session.id)).toHaveLength(1);
    expect(await listAlerts(ctx.db, s.clinic.id)).toHaveLength(1);
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
  });

  it('leaves nothing behind when the transaction fails', async () => {
    const s = await seedSession(ctx.db);
    const auditBefore = await verifyAuditChain(ctx.db);
    const outboxBefore = await ctx.db.selectFrom('outbox').select('id').execute();
    const at = '2026-11-25T18:03:00Z';
    await expect(
      withTransaction(ctx.db, async (trx) => {
        const checkIn = await insertCheckIn(trx, {
          sessionId: s.session.id,
          clinicId: s.clinic.id,
          receivedAt: at,
          hoursAfter: 4,
          soreness: 2,
          symptoms: [],
          source: 'patient',
        });
        await insertAlert(trx, {
          clinicId: s.clinic.id,
          sessionId: s.session.id,
          patientId: s.patient.id,
          assessmentId: null,
          severity: 'routine',
          createdAt: at,
        });
        await enqueueOutbox(trx, {
          clinicId: s.clinic.id,
          kind: 'alert.email',
          dedupeKey: `rollback:${checkIn.id}`,
          payload: {},
          dueAt: at,
          createdAt: at,
        });
        await appendAuditEvent(trx, {
          at,
          actorType: 'system',
          action: 'checkin.create',
          subjectType: 'check_in',
          subjectId: checkIn.id,
        });
        await saveIdempotentResponse(trx, {
          scope: 'rollback',
          key: 'k',
          requestHash: 'h',
          statusCode: 201,
          response: {},
          createdAt: at,
        });
        // A constraint violation late in the write: the same check-in id twice.
        await insertCheckIn(trx, {
          id: checkIn.id,
          sessionId: s.session.id,
          clinicId: s.clinic.id,
          receivedAt: at,
          hoursAfter: 4,
          soreness: 2,
          symptoms: [],
          source: 'patient',
        });
      }),
    ).rejects.toThrow();
    expect(await listCheckInsForSession(ctx.db, s.session.id)).toEqual([]);
    expect(await listAlerts(ctx.db, s.clinic.id)).toEqual([]);
    expect(await ctx.db.selectFrom('outbox').select('id').execute()).toEqual(outboxBefore);
    expect(await verifyAuditChain(ctx.db)).toEqual(auditBefore);
    expect(await findIdempotentResponse(ctx.db, 'rollback', 'k')).toBeUndefined();
  });

  it('joins the caller’s transaction instead of nesting', async () => {
    const clinic = await seedClinic(ctx.db);
    await expect(
      withTransaction(ctx.db, async (outer) => {
        await withTransaction(outer, async (inner) => {
          expect(inner).toBe(outer);
          await insertPatient(inner, {
            clinicId: clinic.id,
            displayName: 'Nested Nora',
            language: 'en',
            createdAt: '2026-11-25T18:03:00Z',
          });
        });
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await searchPatients(ctx.db, clinic.id, 'nora', 10)).toEqual([]);
  });
});
